package org.fleetup.upgrade.internal;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's upgrade, a step at a time: connects, reads what it runs, decides, and hands the install to the
 * release-directories {@link ReleaseDirectoryInstall.Installation} from {@link Step#COMPARE} on; the new version
 * counts only once an inspection, as the plan reads it, finds it running. A first install is the same procedure.
 * Not thread-safe: its steps run one after the other, on whatever thread the route gives each.
 */
final class ServerProcedure implements Procedure {

    /** What every procedure of one upgrader shares. */
    record Parts(TransportRegistry transports, Inspector inspector, Planner planner, ProductProfiles profiles,
                 ReleaseStore store, ReleaseDirectoryInstall install) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(ServerProcedure.class);

    private final Parts parts;
    private final String rollout;
    private final Server server;
    private final Release release;
    private final boolean force;
    private final StepReporter steps;
    private final Journal journal;

    private Session session;
    private Inspection inspection;
    private String running;
    private ReleaseDirectoryInstall.Installation installation;
    /** What the install's first look printed in the inspection's round trip, for its prepare; used once. */
    private Optional<List<String>> lookedAhead = Optional.empty();
    private ServerOutcome outcome;

    ServerProcedure(Parts parts, String rollout, Server server, Release release, boolean force, StepReporter steps,
                    Journal journal) {
        this.parts = parts;
        this.rollout = rollout;
        this.server = server;
        this.release = release;
        this.force = force;
        this.steps = steps;
        this.journal = journal;
    }

    @Override
    public void run(Step step) {
        if (outcome().isPresent()) {
            return;
        }
        steps.logged(() -> {
            switch (step) {
                case CONNECT -> connect();
                case INSPECT -> inspect();
                case COMPARE -> compare();
                default -> {
                    if (installation != null) {
                        installation.run(step);
                    }
                }
            }
        });
    }

    @Override
    public void fail(Step step, RuntimeException cause) {
        if (outcome().isPresent()) {
            return;
        }
        if (FleetupException.hasCode(cause, FleetupException.LEASE_LOST)) {
            throw cause;
        }
        steps.logged(() -> {
            if (installation != null) {
                installation.fail(cause);
            } else if (cause instanceof FleetupException) {
                // Before the install starts (it turns its own failures into outcomes): nothing changed.
                outcome = steps.finish(StepState.FAILED, running, running, cause.getMessage());
            } else {
                LOGGER.error("Upgrading {} to {} failed unexpectedly in {}", server.name(), release.coordinates(),
                        step.id(), cause);
                outcome = steps.finish(StepState.FAILED, running, null, "unexpected error: " + cause);
            }
        });
    }

    @Override
    public Optional<ServerOutcome> outcome() {
        if (outcome == null && installation != null && installation.ended()) {
            outcome = installation.outcome();
        }
        return Optional.ofNullable(outcome);
    }

    @Override
    public Optional<Instant> resumeAt() {
        return installation == null || outcome().isPresent() ? Optional.empty() : installation.resumeAt();
    }

    @Override
    public ServerOutcome runToEnd() {
        for (Step step : List.of(Step.CONNECT, Step.INSPECT, Step.COMPARE)) {
            try {
                run(step);
            } catch (RuntimeException e) {
                fail(step, e);
            }
            if (outcome().isPresent()) {
                return outcome;
            }
        }
        // The install waits in place for a server not installable yet: this caller has no scheduler to come back.
        return steps.logged(installation::runToEnd);
    }

    @Override
    public void close() {
        if (installation != null) {
            installation.close();
        }
        if (session != null) {
            session.close();
        }
    }

    private void connect() {
        steps.step(StepState.CONNECTING, "connecting to " + server.address());
        // A server rebooting into a release (a controller died meanwhile) is waited for, not failed.
        session = parts.install().connect(() -> parts.transports().connect(server), journal, steps);
    }

    private void inspect() {
        inspection = inspectedWithLook().orElseGet(() -> parts.inspector().inspect(session, server,
                release.product()));
        running = inspection.version();
    }

    /**
     * The inspection, read in the same round trip as the install's first look, which {@link #compare} hands on; empty
     * when the two cannot go together, or when the answer is neither a version nor "not installed" (an empty answer,
     * a failed version command), so that the inspection over the session decides as it always did.
     */
    private Optional<Inspection> inspectedWithLook() {
        Optional<String> command = parts.inspector().command(server, release.product());
        Optional<String> look;
        try {
            look = parts.install().lookAhead(parts.profiles().profile(release.product(), server), release);
        } catch (FleetupException e) {
            // The comparison meets the profile's problem and says it.
            return Optional.empty();
        }
        if (command.isEmpty() || look.isEmpty()) {
            return Optional.empty();
        }
        Optional<InspectionWithLook.Printed> printed;
        try {
            printed = InspectionWithLook.parse(session.execute(InspectionWithLook.command(command.get(), look.get()),
                    parts.install().commandTimeout()));
        } catch (FleetupException e) {
            LOGGER.debug("Inspecting {} with the install's look failed ({}): inspecting alone", server.name(),
                    e.getMessage());
            return Optional.empty();
        }
        // The look stands whatever the inspection said: it read the server's files, not the version command.
        lookedAhead = printed.flatMap(InspectionWithLook.Printed::look);
        return printed.map(both -> parts.inspector().read(server, release.product(), both.inspection()))
                .filter(read -> read.status() == Inspection.Status.OK
                        || read.status() == Inspection.Status.NOT_INSTALLED);
    }

    private void compare() {
        PlanEntry entry = parts.planner().decide(release, inspection, force);
        ProductProfile profile = parts.profiles().profile(release.product(), server);
        boolean install = !journal.entries().isEmpty() || entry.decision() == Decision.UPGRADE
                || entry.decision() == Decision.INSTALL;
        if (!install && entry.decision() == Decision.CURRENT) {
            Optional<String> unverified = parts.install().unverified(session, profile, release);
            if (unverified.isPresent()) {
                steps.step(StepState.CHECKING, running + " runs, but " + unverified.get() + ": checking it");
                install = true;
            }
        }
        if (!install) {
            outcome = switch (entry.decision()) {
                case CURRENT, NEWER -> steps.finish(StepState.SKIPPED, running, running, entry.reason());
                default -> steps.finish(StepState.FAILED, running, running, entry.reason());
            };
            return;
        }
        // A started upgrade is finished from its journal whatever the server runs now: after a crash the new release
        // may run unverified, and the plan would call it current.
        Supplier<Session> reconnect = () -> parts.transports().connect(server);
        installation = parts.install().begin(session, reconnect, profile, release,
                () -> parts.store().open(release), steps, new Confirming(), journal);
        Optional<List<String>> looked = lookedAhead;
        lookedAhead = Optional.empty();
        installation.prepare(looked);
    }

    /**
     * The new version counts only once an inspection, as the plan reads it, finds it running: the inspector's command
     * rides along with the unit, and only an answer that holds no version is asked for again over the session.
     */
    private final class Confirming implements ReleaseDirectoryInstall.Confirmation {

        @Override
        public Optional<String> problem(Session on) {
            return judged(parts.inspector().inspect(on, server, release.product()));
        }

        @Override
        public Optional<String> command() {
            return parts.inspector().command(server, release.product());
        }

        @Override
        public Optional<String> problem(CommandResult printed, Session on) {
            Inspection read = parts.inspector().read(server, release.product(), printed);
            return read.status() == Inspection.Status.OK ? judged(read) : problem(on);
        }

        private Optional<String> judged(Inspection again) {
            if (again.status() != Inspection.Status.OK) {
                return Optional.of("inspection after the switch found no version (" + again.status() + ": "
                        + again.detail() + "), expected " + release.version());
            }
            Decision decision = parts.planner().decide(release, again, false).decision();
            return decision == Decision.CURRENT
                    ? Optional.empty()
                    : Optional.of("inspection after the switch read " + again.version() + ", expected "
                            + release.version());
        }
    }
}
