package org.fleetup.simulator.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.fleetup.api.DataDirectory;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.simulator.Simulator;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulator as a service: one {@link SimulatedFleet} under the configured directory, whose started hosts are
 * registered in the inventory with their host keys, as provisioning would. Starting again adds hosts to the same
 * fleet, numbered on after those of the same prefix, so names never clash; {@link #stop()} ends the fleet, and the
 * next start begins a new one (whose hosts start over at {@code -01}, replacing the inventory records of that name).
 *
 * <p>The simulator changes only the records it made ({@link SimulatedFleet#isSimulated}): a start that would replace
 * any other record, a real server of the same name, is refused and starts nothing.
 *
 * <p>Immediate: the running hosts live in this instance, and a delayed component is disposed whenever no one holds
 * the service, which stopped the fleet and left a caller holding a dead instance with no hosts. For the same reason
 * it starts only with its configuration (the feature ships {@code etc/org.fleetup.simulator.cfg}): activated before
 * the file arrived, it was activated again when it did, and the demo's fleet, started in between, was stopped.
 */
@Component(service = Simulator.class, configurationPid = SimulatorComponent.PID, immediate = true,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SimulatorComponent.Config.class)
public final class SimulatorComponent implements Simulator {

    static final String PID = "org.fleetup.simulator";

    @ObjectClassDefinition(name = "Fleetup simulator",
            description = "A simulated fleet of real SSH servers on loopback, for the demo and the tests")
    public @interface Config {

        @AttributeDefinition(description = "Directory of the simulated hosts' roots, keys and known_hosts;"
                + " empty for <karaf.data>/simulator")
        String baseDir() default "";

        @AttributeDefinition(description = "Bytes one SSH session may write over SFTP to a DROP_CONNECTION host"
                + " before the connection is broken")
        long dropAfterBytes() default SimulatedFleet.DEFAULT_DROP_AFTER_BYTES;

        @AttributeDefinition(description = "Bytes that may be written over SFTP to a DISK_FULL host, in all,"
                + " before its writes fail with 'No space left on device'")
        long diskQuotaBytes() default SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES;

        @AttributeDefinition(description = "Seconds the busy marker (<root>/demo-app/.busy) of a BUSY host stays")
        long busySeconds() default SimulatedFleet.DEFAULT_BUSY_SECONDS;

        @AttributeDefinition(description = "Seconds a REBOOT host stays down after a reboot command")
        long rebootSeconds() default SimulatedFleet.DEFAULT_REBOOT_SECONDS;
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(SimulatorComponent.class);
    private static final String ACTOR = "simulator";

    private final Inventory inventory;
    private final Path baseDir;
    private final long dropAfterBytes;
    private final long diskQuotaBytes;
    private final Duration busyFor;
    private final Duration rebootFor;
    private SimulatedFleet fleet;

    @Activate
    public SimulatorComponent(@Reference Inventory inventory, Config config) {
        this.inventory = inventory;
        this.baseDir = baseDir(config.baseDir());
        this.dropAfterBytes = config.dropAfterBytes();
        this.diskQuotaBytes = config.diskQuotaBytes();
        this.busyFor = Duration.ofSeconds(config.busySeconds());
        this.rebootFor = Duration.ofSeconds(config.rebootSeconds());
    }

    @Override
    public synchronized List<SimulatedHost> start(String prefix, List<HostSpec> specs) {
        if (fleet == null) {
            fleet = new SimulatedFleet(baseDir, dropAfterBytes, diskQuotaBytes, busyFor, rebootFor);
        }
        List<SimulatedHost> hosts = fleet.start(prefix, specs);
        List<Server> records = hosts.stream().map(fleet::server).toList();
        try {
            forgetStaleRecordsAt(records);
            register(records,
                    hosts.stream().collect(Collectors.toMap(SimulatedHost::name, SimulatedHost::hostKey)));
        } catch (RuntimeException e) {
            fleet.discard(hosts);
            throw e;
        }
        inventory.audit(ACTOR, "simulator.start", hosts.size() + " simulated servers " + prefix + "-*");
        LOGGER.info("Started and registered {} simulated servers under {}", hosts.size(), baseDir);
        return hosts;
    }

    /**
     * Puts the records of new hosts into the inventory with their host keys, replacing the simulator's own records
     * and no other.
     */
    private void register(List<Server> records, Map<String, String> hostKeys) {
        List<Server> notOwn = new ArrayList<>();
        Predicate<Server> own = existing -> {
            if (SimulatedFleet.isSimulated(existing)) {
                return true;
            }
            notOwn.add(existing);
            return false;
        };
        try {
            inventory.putServers(records, hostKeys, own);
        } catch (FleetupException e) {
            if (notOwn.isEmpty()) {
                throw e;
            }
            Server other = notOwn.get(0);
            throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + other.name() + "' ("
                    + other.address() + ") is in the inventory and was not made by the simulator, which never"
                    + " changes such a record; no simulated server was started. Name them otherwise: --prefix"
                    + " NAME.", e);
        }
    }

    /**
     * Removes the simulator's records of hosts that no longer run (stopped, or gone with a restart) and whose port a
     * new host has been given: otherwise the new record would share their login and be refused.
     */
    private void forgetStaleRecordsAt(List<Server> records) {
        Set<String> running = fleet.hosts().stream().map(SimulatedHost::name).collect(Collectors.toSet());
        for (Server stale : staleAt(inventory.servers(null), records, running)) {
            inventory.removeServer(stale.name());
            LOGGER.info("Removed the record of simulated server {}, which no longer runs: {} is now {}",
                    stale.name(), stale.address(), records.stream()
                            .filter(r -> r.address().equals(stale.address())).findFirst().orElseThrow().name());
        }
    }

    /** The simulator's own records, of hosts not {@code running}, at the address of one of {@code records}. */
    static List<Server> staleAt(List<Server> inventory, List<Server> records, Set<String> running) {
        Set<URI> taken = records.stream().map(Server::address).collect(Collectors.toSet());
        return inventory.stream()
                .filter(SimulatedFleet::isSimulated)
                .filter(server -> !running.contains(server.name()) && taken.contains(server.address()))
                .toList();
    }

    @Override
    public List<HostSpec> demoMix(int count) {
        return DemoApplication.demoMix(count);
    }

    @Override
    public Path writeRelease(String version, Path target) {
        return DemoApplication.writeRelease(version, target);
    }

    @Override
    public synchronized List<SimulatedHost> hosts() {
        return fleet == null ? List.of() : fleet.hosts();
    }

    @Override
    public synchronized void stop() {
        if (fleet != null) {
            fleet.close();
            fleet = null;
            LOGGER.info("Stopped the simulated fleet under {}", baseDir);
        }
    }

    @Deactivate
    void deactivate() {
        stop();
    }

    private static Path baseDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return DataDirectory.resolve("simulator");
    }
}
