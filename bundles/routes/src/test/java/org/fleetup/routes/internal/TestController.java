package org.fleetup.routes.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.camel.impl.DefaultCamelContext;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.fleetup.comparison.internal.VersionPlanner;
import org.fleetup.inspection.internal.ConfiguredProductProfiles;
import org.fleetup.inspection.internal.SessionInspector;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.inventory.internal.InventoryDatabase;
import org.fleetup.inventory.internal.JdbcInventory;
import org.fleetup.inventory.internal.JdbcRolloutRepository;
import org.fleetup.scheduling.internal.ExecutorScheduler;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.storage.internal.VfsReleaseStore;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.upgrade.internal.ServerUpgrader;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * A controller of the real parts, outside OSGi: an H2 inventory file, a release store on files, SSH, the real
 * inspection, comparison, upgrade and scheduler, and {@link FleetRouting} on a Camel context of its own; with a
 * simulated fleet to upgrade. Started again on the same directory, it finds what its earlier life left.
 */
final class TestController implements AutoCloseable {

    /**
     * What a test may make short or faulty: how long the simulator's busy marker stays, the SSH deadlines, and the
     * configuration of the upgrade ({@link ServerUpgrader.Config}) and of the inspection
     * ({@link SessionInspector.Config}), as etc/org.fleetup.upgrade.cfg and etc/org.fleetup.inspection.cfg hold it;
     * and the product profile's fields beside its semantic scheme ({@link ConfiguredProductProfiles.Config}, as
     * etc/org.fleetup.profiles.cfg holds them: e.g. {@code reboot}, {@code bootIdCommand}).
     */
    record Tuning(Duration busyFor, SshSettings ssh, Map<String, ?> upgrade, Map<String, ?> inspection,
                  Map<String, ?> profile) {

        Tuning(Duration busyFor, SshSettings ssh, Map<String, ?> upgrade, Map<String, ?> inspection) {
            this(busyFor, ssh, upgrade, inspection, Map.of());
        }

        static Tuning defaults() {
            return new Tuning(Duration.ofSeconds(SimulatedFleet.DEFAULT_BUSY_SECONDS), SshSettings.defaults(),
                    Map.of(), Map.of());
        }
    }

    private final Path dir;
    final SimulatedFleet fleet;
    final InventoryDatabase database;
    final JdbcInventory inventory;
    final JdbcRolloutRepository repository;
    final VfsReleaseStore store;
    final ExecutorScheduler scheduler;
    final SshTransport ssh;
    private final SessionInspector inspector;
    final VersionPlanner planner;
    /** Transports by URI scheme beside SSH, which serves every other scheme: a test adds the push agents' here. */
    final Map<String, Transport> transportsByScheme = new ConcurrentHashMap<>();
    final ProductProfiles profiles;
    private ServerUpgrader upgrader;
    final TransportRegistry transports;
    private FleetRouting routing;
    /** The Camel context of the routing component started last. */
    DefaultCamelContext camel;

    TestController(Path dir) {
        this(dir, Tuning.defaults());
    }

    TestController(Path dir, Tuning tuning) {
        this(dir, tuning, Map.of());
    }

    /**
     * @param settings the product profiles' configuration, as etc/org.fleetup.profiles.cfg holds it, over the
     *        tuning's
     */
    TestController(Path dir, Tuning tuning, Map<String, Object> settings) {
        this.dir = dir;
        this.fleet = new SimulatedFleet(dir.resolve("fleet"), SimulatedFleet.DEFAULT_DROP_AFTER_BYTES,
                SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES, tuning.busyFor(),
                Duration.ofSeconds(SimulatedFleet.DEFAULT_REBOOT_SECONDS));
        JdbcConnectionPool pool = JdbcConnectionPool.create(url(), "fleetup", "test");
        this.database = new InventoryDatabase(pool, url(), pool::dispose);
        this.inventory = new JdbcInventory(database);
        this.repository = new JdbcRolloutRepository(database);
        DefaultVersionSchemes schemes = new DefaultVersionSchemes();
        Map<String, Object> profile = new HashMap<>(tuning.profile());
        profile.put("scheme", "semantic");
        profile.putAll(settings);
        this.profiles = new ConfiguredProductProfiles(
                ComponentConfigs.of(ConfiguredProductProfiles.Config.class, profile), profile);
        this.store = new VfsReleaseStore(inventory, schemes, profiles, ComponentConfigs.of(VfsReleaseStore.Config.class,
                Map.of("root", dir.resolve("store").toUri().toString())));
        this.ssh = new SshTransport(tuning.ssh(), inventory);
        Transport transport = ssh;
        this.transports = new TransportRegistry() {
            @Override
            public Transport transportFor(URI address) {
                return transportsByScheme.getOrDefault(String.valueOf(address.getScheme()), transport);
            }

            @Override
            public Map<String, String> schemes() {
                return Map.of("ssh", "fleetup-transport-ssh");
            }
        };
        this.inspector = new SessionInspector(transports, profiles, schemes,
                ComponentConfigs.of(SessionInspector.Config.class, tuning.inspection()));
        this.planner = new VersionPlanner(schemes, profiles);
        this.upgrader = upgrader(tuning.upgrade());
        this.scheduler = new ExecutorScheduler(ComponentConfigs.defaults(ExecutorScheduler.Config.class));
    }

    private ServerUpgrader upgrader(Map<String, ?> config) {
        return new ServerUpgrader(transports, inspector, planner, profiles, store,
                ComponentConfigs.of(ServerUpgrader.Config.class, config));
    }

    String url() {
        return "jdbc:h2:file:" + dir.resolve("inventory").resolve("fleetup");
    }

    /** Starts simulated servers running {@code version}, and puts them in the inventory. */
    List<SimulatedHost> servers(String prefix, int count, String version) {
        List<SimulatedHost> hosts = fleet.start(prefix, Collections.nCopies(count, new HostSpec(version, Set.of())));
        inventory.addServers(hosts.stream().map(fleet::server).toList(), hostKeys(hosts));
        return hosts;
    }

    /** Starts simulated servers as {@code specs} say, and puts them in the inventory. */
    List<SimulatedHost> servers(String prefix, List<HostSpec> specs) {
        List<SimulatedHost> hosts = fleet.start(prefix, specs);
        inventory.addServers(hosts.stream().map(fleet::server).toList(), hostKeys(hosts));
        return hosts;
    }

    /** The host key of each of {@code hosts}, by name, as an operator trusts them. */
    static Map<String, String> hostKeys(List<SimulatedHost> hosts) {
        return hosts.stream().collect(Collectors.toMap(SimulatedHost::name, SimulatedHost::hostKey));
    }

    /** Adds a release of the demo application to the store. */
    void release(String version) {
        Path archive = DemoApplication.writeRelease(version, dir.resolve("demo-app-" + version + ".tar.gz"));
        try (InputStream content = Files.newInputStream(archive)) {
            store.add(DemoApplication.PRODUCT, version, null, archive.getFileName().toString(), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Activates the routing component, as Declarative Services would: it takes up what was left unfinished. */
    FleetRouting start() throws Exception {
        routing = start("controller-1");
        return routing;
    }

    /**
     * Another incarnation of the routing component, on the same inventory, as controller {@code id}: its engine ticks
     * every 50 ms and holds a lease 5 s. Closed by the caller (deactivate).
     */
    FleetRouting start(String id) throws Exception {
        camel = new DefaultCamelContext();
        return new FleetRouting(camel, new FleetRouting.Settings(id, 50, Duration.ofSeconds(5), 8,
                new FleetErrors.Retries(2, Duration.ofMillis(100))),
                inventory, repository, store, transports, inspector, planner, upgrader, scheduler);
    }

    /**
     * As {@link #start()}, with the pull agents of {@code pullRegistry}; one silent for {@code pullDeadline} in an open
     * wave fails.
     */
    FleetRouting start(PullRegistry pullRegistry, Duration pullDeadline) throws Exception {
        routing = new FleetRouting(new DefaultCamelContext(), new FleetRouting.Settings("controller-1", 50,
                Duration.ofSeconds(5), 8, new FleetErrors.Retries(2, Duration.ofMillis(100)),
                FleetRouting.Settings.DEFAULT_ESTIMATES, "127.0.0.1 (test)", pullDeadline), inventory, repository, store, transports,
                inspector, planner, upgrader, scheduler, pullRegistry);
        return routing;
    }

    /** As {@link #start()}, under maintenance windows read on {@code clock}. */
    FleetRouting start(Supplier<MaintenanceWindows> windows, Clock clock) throws Exception {
        routing = new FleetRouting(new DefaultCamelContext(), new FleetRouting.Settings("controller-1", 50,
                Duration.ofSeconds(5), 8), inventory, repository, store, transports, inspector, planner, upgrader,
                scheduler, windows, clock);
        return routing;
    }

    /** Deactivates the routing component started by {@link #start()} and starts it again, as a config change does. */
    FleetRouting restart() throws Exception {
        routing.deactivate();
        routing = start("controller-1");
        return routing;
    }

    /**
     * As a change of etc/org.fleetup.upgrade.cfg and etc/org.fleetup.routes.cfg does under Declarative Services: the
     * upgrade component is made again with {@code upgrade}, and the routing component, which holds it, is deactivated
     * and activated again with {@code settings}.
     */
    FleetRouting reconfigure(Map<String, ?> upgrade, FleetRouting.Settings settings) throws Exception {
        routing.deactivate();
        upgrader = upgrader(upgrade);
        routing = new FleetRouting(new DefaultCamelContext(), settings, inventory, repository, store, transports,
                inspector, planner, upgrader, scheduler);
        return routing;
    }

    static List<String> names(List<SimulatedHost> hosts) {
        return hosts.stream().map(SimulatedHost::name).toList();
    }

    @Override
    public void close() {
        if (routing != null) {
            routing.deactivate();
        }
        scheduler.stop();
        ssh.close();
        fleet.close();
        database.close();
    }
}
