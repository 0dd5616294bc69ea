package org.fleetup.simulator.internal;

import java.nio.file.Path;
import java.util.List;

import org.fleetup.api.DataDirectory;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.simulator.Simulator;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
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
 */
@Component(service = Simulator.class, configurationPid = SimulatorComponent.PID)
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
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(SimulatorComponent.class);
    private static final String ACTOR = "simulator";

    private final Inventory inventory;
    private final Path baseDir;
    private final long dropAfterBytes;
    private final long diskQuotaBytes;
    private SimulatedFleet fleet;

    @Activate
    public SimulatorComponent(@Reference Inventory inventory, Config config) {
        this.inventory = inventory;
        this.baseDir = baseDir(config.baseDir());
        this.dropAfterBytes = config.dropAfterBytes();
        this.diskQuotaBytes = config.diskQuotaBytes();
    }

    @Override
    public synchronized List<SimulatedHost> start(String prefix, List<HostSpec> specs) {
        if (fleet == null) {
            fleet = new SimulatedFleet(baseDir, dropAfterBytes, diskQuotaBytes);
        }
        List<SimulatedHost> hosts = fleet.start(prefix, specs);
        inventory.putServers(hosts.stream().map(fleet::server).toList());
        inventory.audit(ACTOR, "simulator.start", hosts.size() + " simulated servers " + prefix + "-*");
        LOGGER.info("Started and registered {} simulated servers under {}", hosts.size(), baseDir);
        return hosts;
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
