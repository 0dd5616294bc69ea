package org.fleetup.api.upgrade;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The upgrade of one server, a step at a time: so that a route can run each step as a node of its own, retry one
 * that may pass later, and tell which step a fault came from. Steps run in the order of {@link Step}; each one does
 * nothing when the server does not need it (a server found current needs no transfer; a release that is not
 * rebooted needs no reconnection) or once the procedure has ended. Every step records in the {@link Journal} before
 * its irreversible part, so that a procedure begun again after a crash finishes the server, whatever step it died
 * in.
 */
@ProviderType
public interface Procedure extends AutoCloseable {

    /** The steps of one server's upgrade, in the order they run. */
    enum Step {
        /** Opens a session to the server. */
        CONNECT,
        /** Reads the version it runs. */
        INSPECT,
        /** Decides, against the release, whether it is upgraded, skipped or refused; reads where it stands. */
        COMPARE,
        /** Waits until the server can take the release: not busy, with room for it. Nothing was changed before. */
        WAIT_INSTALLABLE,
        /** Sends the artifact to the server's staging area and has the server verify its SHA-256. */
        STAGE,
        /** Unpacks the release beside the running one and checks every file against its manifest. */
        VERIFY,
        /** Makes it current: the irreversible part, run on the server as one unit that finishes alone. */
        INSTALL,
        /** Restarts the application, or reboots the server. */
        RESTART,
        /** Reconnects after a reboot and proves the server did reboot. */
        RECONNECT,
        /** Reads the verdict of the health check; a failing one was rolled back already on the server. */
        HEALTH,
        /** Inspects the version again, as the plan reads it: the release counts only once this agrees. */
        CONFIRM,
        /** Brings the previous release back when the confirmation disagreed. */
        ROLLBACK;

        /** The step's name in routes and logs: {@code wait-installable}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Runs {@code step} when it is due.
     *
     * @throws org.fleetup.api.FleetupException when the step failed: retry it ({@link Step#CONNECT} and
     *         {@link Step#RECONNECT} may pass later), or end the procedure with {@link #fail(Step, RuntimeException)};
     *         {@link org.fleetup.api.FleetupException#LEASE_LOST} means another controller owns the server now:
     *         nothing more may be done on it, not even {@code fail}
     */
    void run(Step step);

    /**
     * Ends the procedure because {@code step} failed: what was done is undone as far as the journal says it can be,
     * and the outcome says why. After the switch, only the server's own record decides what it runs.
     */
    void fail(Step step, RuntimeException cause);

    /** How the server ended, once the procedure has. */
    Optional<ServerOutcome> outcome();

    /**
     * When the procedure stopped without an outcome to wait (the server not installable yet): the time to begin it
     * again, from the journal. Empty while it runs, and once it has ended.
     */
    Optional<Instant> resumeAt();

    /**
     * Runs every step in order, failing the procedure on the first step that fails; waits in place when it must, as
     * a caller without a scheduler does: until {@link #resumeAt()}, then, after {@link #beforeNextPass()}, every step
     * again.
     *
     * @return the outcome
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST}
     */
    default ServerOutcome runToEnd() {
        while (true) {
            for (Step step : Step.values()) {
                try {
                    run(step);
                } catch (FleetupException e) {
                    if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                        throw e;
                    }
                    fail(step, e);
                } catch (RuntimeException e) {
                    fail(step, e);
                }
            }
            Optional<ServerOutcome> outcome = outcome();
            if (outcome.isPresent()) {
                return outcome.get();
            }
            Instant at = resumeAt().orElseThrow(() -> new IllegalStateException(
                    "A pass ended with neither an outcome nor a time to resume: " + getClass().getName()));
            try {
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Step.WAIT_INSTALLABLE, new FleetupException(FleetupException.TRANSPORT_FAILED,
                        "Interrupted while waiting to resume the upgrade: retry the server, which finds where it "
                                + "stopped"));
                return outcome().orElseThrow();
            }
            beforeNextPass();
        }
    }

    /**
     * Readies the procedure for the pass {@link #runToEnd()} begins once {@link #resumeAt()} has come: the steps do
     * nothing while a time to resume is set, so it is cleared here, with anything read before the wait that may have
     * changed since. A procedure that does not wait has nothing to clear.
     */
    default void beforeNextPass() {
    }

    /** Closes the session to the server, when one was opened. */
    @Override
    void close();
}
