package org.fleetup.upgrade.internal;

import java.time.Duration;
import java.util.Optional;

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
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.api.upgrade.Upgrader;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Upgrades one server: connects, reads what it runs, decides, installs in release directories (a first install on
 * a server with nothing installed as well), confirms the new version by inspecting again, and rolls back when
 * anything after the switch disagrees.
 */
@Component(service = Upgrader.class, configurationPid = ServerUpgrader.PID)
@Designate(ocd = ServerUpgrader.Config.class)
public final class ServerUpgrader implements Upgrader {

    static final String PID = "org.fleetup.upgrade";

    private static final Logger LOGGER = LoggerFactory.getLogger(ServerUpgrader.class);

    @ObjectClassDefinition(name = "Fleetup upgrade", description = "How one server is upgraded")
    public @interface Config {

        @AttributeDefinition(description = "Seconds one command on a server (a checksum, an unpacking, the health "
                + "check) may run before it counts as failed; checksums and unpacking get 1 s more per 16 MiB of "
                + "artifact")
        int commandTimeoutSeconds() default 30;

        @AttributeDefinition(description = "How many times an artifact is sent when its SHA-256 on the server "
                + "does not match, before the server fails")
        int verifyAttempts() default 3;

        @AttributeDefinition(description = "Seconds a server that is busy (its profile's busyMarker exists) or short "
                + "of space for the release is waited for, in all, before it ends not installable, unchanged; 0 "
                + "checks once")
        int installableWaitSeconds() default 300;

        @AttributeDefinition(description = "Seconds before a server that is not installable is checked again the "
                + "first time; each later wait is twice as long, up to installableMaxBackOffSeconds")
        int installableFirstBackOffSeconds() default 2;

        @AttributeDefinition(description = "The longest wait, in seconds, between two checks of a server that is not "
                + "installable")
        int installableMaxBackOffSeconds() default 30;

        @AttributeDefinition(description = "The free space a release needs in the application root's file system, "
                + "as a multiple of its artifact's size (the staging file, the release unpacked, and room to spare)")
        double installableSpaceFactor() default 3;

        @AttributeDefinition(description = "Seconds a server that reboots after its switch (the product profile's "
                + "reboot) is waited for, in all, until it answers with a new boot id; past it the server fails")
        int rebootWaitSeconds() default 600;

        @AttributeDefinition(description = "Seconds before a rebooting server is tried the first time; each later "
                + "try waits twice as long, up to rebootMaxBackOffSeconds")
        int rebootFirstBackOffSeconds() default 2;

        @AttributeDefinition(description = "The longest wait, in seconds, between two tries of a rebooting server")
        int rebootMaxBackOffSeconds() default 15;
    }

    private final TransportRegistry transports;
    private final Inspector inspector;
    private final Planner planner;
    private final ProductProfiles profiles;
    private final ReleaseStore store;
    private final ReleaseDirectoryInstall install;

    @Activate
    public ServerUpgrader(@Reference TransportRegistry transports, @Reference Inspector inspector,
                          @Reference Planner planner, @Reference ProductProfiles profiles,
                          @Reference ReleaseStore store, Config config) {
        this.transports = transports;
        this.inspector = inspector;
        this.planner = planner;
        this.profiles = profiles;
        this.store = store;
        this.install = new ReleaseDirectoryInstall(Duration.ofSeconds(config.commandTimeoutSeconds()),
                config.verifyAttempts(), new InstallableState.Limits(
                        Duration.ofSeconds(config.installableWaitSeconds()),
                        Duration.ofSeconds(config.installableFirstBackOffSeconds()),
                        Duration.ofSeconds(config.installableMaxBackOffSeconds()), config.installableSpaceFactor()),
                new RebootProof.Limits(Duration.ofSeconds(config.rebootWaitSeconds()),
                        Duration.ofSeconds(config.rebootFirstBackOffSeconds()),
                        Duration.ofSeconds(config.rebootMaxBackOffSeconds())));
    }

    @Override
    public ServerOutcome upgrade(String rollout, Server server, Release release, boolean force,
                                 StepListener listener, Journal journal) {
        MDC.put("server", server.name());
        MDC.put("rollout", String.valueOf(rollout));
        try {
            return upgrade(server, release, force, new StepReporter(rollout, server.name(), listener), journal);
        } finally {
            MDC.remove("server");
            MDC.remove("rollout");
        }
    }

    private ServerOutcome upgrade(Server server, Release release, boolean force, StepReporter steps,
                                  Journal journal) {
        steps.step(StepState.CONNECTING, "connecting to " + server.address());
        Session session;
        try {
            session = install.connect(() -> transports.connect(server), journal, steps);
        } catch (FleetupException e) {
            return steps.finish(StepState.FAILED, null, null, e.getMessage());
        }
        String running = null;
        try (session) {
            Inspection inspection = inspector.inspect(session, server, release.product());
            running = inspection.version();
            PlanEntry entry = planner.decide(release, inspection, force);
            ProductProfile profile = profiles.profile(release.product(), server);
            if (!journal.entries().isEmpty() || entry.decision() == Decision.UPGRADE
                    || entry.decision() == Decision.INSTALL) {
                // A started upgrade is finished from its journal whatever the server runs now: after a crash the
                // new release may run unverified, and the plan would call it current.
                return install(session, server, release, profile, steps, journal);
            }
            if (entry.decision() == Decision.CURRENT) {
                Optional<String> unverified = install.unverified(session, profile, release);
                if (unverified.isPresent()) {
                    steps.step(StepState.CHECKING, running + " runs, but " + unverified.get() + ": checking it");
                    return install(session, server, release, profile, steps, journal);
                }
            }
            return switch (entry.decision()) {
                case CURRENT, NEWER -> steps.finish(StepState.SKIPPED, running, running, entry.reason());
                default -> steps.finish(StepState.FAILED, running, running, entry.reason());
            };
        } catch (FleetupException e) {
            if (FleetupException.LEASE_LOST.equals(e.code())) {
                throw e;
            }
            // Only before the install starts (the install turns its own failures into outcomes): nothing changed.
            return steps.finish(StepState.FAILED, running, running, e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.error("Upgrading {} to {} failed unexpectedly", server.name(), release.coordinates(), e);
            return steps.finish(StepState.FAILED, running, null, "unexpected error: " + e);
        }
    }

    // A first install is the same procedure: with no current, it has nothing to roll back to and says so.
    private ServerOutcome install(Session session, Server server, Release release, ProductProfile profile,
                                  StepReporter steps, Journal journal) {
        return install.install(session, () -> transports.connect(server), profile, release,
                () -> store.open(release), steps, confirmedBy(server, release), journal);
    }

    /** The new version counts only once an inspection, as the plan reads it, finds it running. */
    private ReleaseDirectoryInstall.Confirmation confirmedBy(Server server, Release release) {
        return session -> {
            Inspection again = inspector.inspect(session, server, release.product());
            if (again.status() != Inspection.Status.OK) {
                return Optional.of("inspection after the switch found no version (" + again.status() + ": "
                        + again.detail() + "), expected " + release.version());
            }
            Decision decision = planner.decide(release, again, false).decision();
            return decision == Decision.CURRENT
                    ? Optional.empty()
                    : Optional.of("inspection after the switch read " + again.version() + ", expected "
                            + release.version());
        };
    }
}
