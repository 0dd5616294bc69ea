package org.fleetup.upgrade.internal;

import java.time.Duration;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.Upgrader;
import org.fleetup.upgrade.StepReporter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Upgrades one server: connects, reads what it runs, decides, installs in release directories (a first install on
 * a server with nothing installed as well), confirms the new version by inspecting again, and rolls back when
 * anything after the switch disagrees. A server whose transport cannot run this command-driven procedure brings its
 * own ({@link InstallingTransport}: the push agent, an SFTP-only server), and is upgraded by it instead.
 */
@Component(service = Upgrader.class, configurationPid = ServerUpgrader.PID)
@Designate(ocd = ServerUpgrader.Config.class)
public final class ServerUpgrader implements Upgrader {

    static final String PID = "org.fleetup.upgrade";

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

    private final ServerProcedure.Parts parts;

    @Activate
    public ServerUpgrader(@Reference TransportRegistry transports, @Reference Inspector inspector,
                          @Reference Planner planner, @Reference ProductProfiles profiles,
                          @Reference ReleaseStore store, Config config) {
        this.parts = new ServerProcedure.Parts(transports, inspector, planner, profiles, store,
                new ReleaseDirectoryInstall(Duration.ofSeconds(config.commandTimeoutSeconds()),
                config.verifyAttempts(), new InstallableState.Limits(
                        Duration.ofSeconds(config.installableWaitSeconds()),
                        Duration.ofSeconds(config.installableFirstBackOffSeconds()),
                        Duration.ofSeconds(config.installableMaxBackOffSeconds()), config.installableSpaceFactor()),
                new RebootProof.Limits(Duration.ofSeconds(config.rebootWaitSeconds()),
                        Duration.ofSeconds(config.rebootFirstBackOffSeconds()),
                        Duration.ofSeconds(config.rebootMaxBackOffSeconds()))));
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        Optional<InstallingTransport> installing = installing(server);
        if (installing.isPresent()) {
            return installing.get().begin(rollout, server, release, force, listener, journal);
        }
        return new ServerProcedure(parts, rollout, server, release, force,
                new StepReporter(rollout, server.name(), listener), journal);
    }

    /**
     * The transport of the server's address when it brings its own procedure. A scheme with no
     * transport is left to the procedure's connect step, which fails the server with the reason as it always did.
     */
    private Optional<InstallingTransport> installing(Server server) {
        try {
            return parts.transports().transportFor(server.address()) instanceof InstallingTransport installing
                    ? Optional.of(installing) : Optional.empty();
        } catch (FleetupException e) {
            return Optional.empty();
        }
    }
}
