package org.fleetup.shell.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.console.Registry;
import org.apache.karaf.shell.api.console.SessionFactory;

import org.fleetup.api.DataDirectory;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.ClusterWindows;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.transport.TransportRegistry;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a script waiting for the console that the {@code fleet:} commands can run, without logging in: while they
 * are registered, {@code <karaf.data>/console.ready} holds the JVM's PID.
 *
 * <p>Karaf registers this bundle's commands once every service they reference is there; this component needs the same
 * services, so it is activated at that moment. Other bundles declare {@code fleet:} commands too (the patch server's
 * {@code fleet:agent-list}, {@code fleet:mirror-*} and {@code fleet:release-schedule}, the push-agent transport's,
 * the simulator's), and Karaf registers theirs when their own services come, which may be later: the file is written
 * once Karaf's registry has every {@code fleet:} command that the bundles the framework starts declare. There is no
 * event to wait for, so it looks every {@value #LOOK_MILLIS} ms. {@code ./fleetup start} waits on that file (a test,
 * no process) and then logs in once to check. Logging in again and again until the commands answered, as it did, was
 * a key exchange on both sides each time: on a two-core machine those logins slowed the start they waited for by
 * about two seconds.
 */
@Component(immediate = true, reference = {
        @Reference(name = "clusterWindows", service = ClusterWindows.class),
        @Reference(name = "fleetInspection", service = FleetInspection.class),
        @Reference(name = "inventory", service = Inventory.class),
        @Reference(name = "productProfiles", service = ProductProfiles.class),
        @Reference(name = "releaseStore", service = ReleaseStore.class),
        @Reference(name = "rollouts", service = Rollouts.class),
        @Reference(name = "scheduler", service = Scheduler.class),
        @Reference(name = "serverImport", service = ServerImport.class),
        @Reference(name = "serverTrust", service = ServerTrust.class),
        @Reference(name = "transportRegistry", service = TransportRegistry.class)})
public class ConsoleReadiness {

    static final String MARKER = "console.ready";
    static final String SCOPE = "fleet";
    static final long LOOK_MILLIS = 10;
    static final Duration GIVE_UP = Duration.ofSeconds(60);

    private static final Command OWN = TransportListCommand.class.getAnnotation(Command.class);
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleReadiness.class);

    private final Path marker;
    private final ScheduledExecutorService looker =
            Executors.newSingleThreadScheduledExecutor(task -> new Thread(task, "fleetup-console-readiness"));

    @Activate
    public ConsoleReadiness(@Reference SessionFactory console, BundleContext context) {
        this(console.getRegistry(), DataDirectory.resolve(MARKER), new DeclaredCommands(context, SCOPE));
    }

    /** {@code declared}: the {@code scope:name} of every command to wait for, empty while not known yet. */
    ConsoleReadiness(Registry commands, Path marker, Supplier<Optional<Set<String>>> declared) {
        this.marker = marker;
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        looker.scheduleWithFixedDelay(() -> {
            // this bundle's own first: until they are there, nothing else is worth reading
            Optional<List<String>> missing = commands.getCommand(SCOPE, OWN.name()) == null
                    ? Optional.of(List.of(SCOPE + ":" + OWN.name()))
                    : declared.get().map(all -> missing(commands, all));
            if (missing.filter(List::isEmpty).isPresent()) {
                write();
                looker.shutdown();
            } else if (System.nanoTime() - deadline > 0) {
                LOG.warn("The console {} {} s after the services of the fleet commands came; {} not written",
                        missing.map(names -> "still lacks " + String.join(", ", names))
                                .orElse("cannot tell which fleet commands to wait for (the boot features are not all"
                                        + " in, or a bundle declaring some is not resolved)"), GIVE_UP.toSeconds(),
                        marker);
                looker.shutdown();
            }
        }, 0, LOOK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static List<String> missing(Registry commands, Set<String> declared) {
        return declared.stream().filter(command -> {
            String[] scopeAndName = command.split(":", 2);
            return commands.getCommand(scopeAndName[0], scopeAndName[1]) == null;
        }).toList();
    }

    private void write() {
        // Whole or absent: a reader never sees half a PID.
        Path written = marker.resolveSibling(MARKER + ".new");
        try {
            Files.createDirectories(marker.getParent());
            Files.writeString(written, ProcessHandle.current().pid() + "\n");
            Files.move(written, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("Could not write {}: ./fleetup start logs in every 5 s instead", marker, e);
        }
    }

    @Deactivate
    void deactivate() throws IOException, InterruptedException {
        looker.shutdownNow();
        looker.awaitTermination(10, TimeUnit.SECONDS);
        Files.deleteIfExists(marker);
    }
}
