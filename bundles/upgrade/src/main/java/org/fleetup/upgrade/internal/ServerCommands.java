package org.fleetup.upgrade.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of one install on one server, over its session, or over a new one when that died: a failure is a
 * {@link StepFailure} naming what was being done.
 */
final class ServerCommands {

    private static final Logger LOGGER = LoggerFactory.getLogger(ServerCommands.class);

    private final Supplier<Session> reconnect;
    private final StepReporter steps;
    private final List<Session> reconnected = new ArrayList<>();
    private Session session;

    /** @param reconnect opens a new session when this one dies; may be {@code null} */
    ServerCommands(Session session, Supplier<Session> reconnect, StepReporter steps) {
        this.session = session;
        this.reconnect = reconnect;
        this.steps = steps;
    }

    /** The session in use now. */
    Session session() {
        return session;
    }

    /** Runs {@code command}, and fails the step with {@code what} when it fails. */
    CommandResult run(String what, String command, Duration timeout) {
        CommandResult result = execute(what, command, timeout);
        if (!result.succeeded()) {
            throw new StepFailure(what + " failed: " + result.problem());
        }
        return result;
    }

    /** Runs {@code command}; only a broken connection or a timeout fails the step. */
    CommandResult execute(String what, String command, Duration timeout) {
        LOGGER.debug("Running {}", command);
        try {
            return session.execute(command, timeout);
        } catch (FleetupException e) {
            throw new StepFailure(what + " failed: " + StepFailure.describe(e), e);
        }
    }

    /** Makes sure a session is open, reconnecting for {@code purpose} when the last one died. */
    void live(String purpose) {
        if (session.isOpen()) {
            return;
        }
        if (reconnect == null) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "the connection was lost and no "
                    + "reconnection is possible");
        }
        steps.step(StepState.RECONNECTING, "the connection to " + steps.server() + " was lost; reconnecting to "
                + purpose);
        Session fresh = reconnect.get();
        reconnected.add(fresh);
        session = fresh;
    }

    /**
     * Opens a new session whatever the state of this one, as after a reboot, where a session may look open while
     * its server is gone; the one it replaces is closed unless it is the caller's.
     *
     * @throws FleetupException when no new session can be opened
     */
    void reconnect(String purpose) {
        if (reconnect == null) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "no reconnection is possible to "
                    + purpose);
        }
        Session fresh = reconnect.get();
        Session replaced = session;
        reconnected.add(fresh);
        session = fresh;
        if (reconnected.remove(replaced)) {
            try {
                replaced.close();
            } catch (RuntimeException e) {
                LOGGER.debug("Closing a replaced session failed", e);
            }
        }
    }

    /** Closes the sessions it opened; the first one is the caller's. */
    void closeReconnected() {
        for (Session opened : reconnected) {
            try {
                opened.close();
            } catch (RuntimeException e) {
                LOGGER.debug("Closing a reconnected session failed", e);
            }
        }
    }
}
