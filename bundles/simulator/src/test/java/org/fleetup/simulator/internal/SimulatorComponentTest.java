package org.fleetup.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.AuditEntry;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatorComponentTest {

    @TempDir
    Path baseDir;

    private final RecordingInventory inventory = new RecordingInventory();
    private SimulatorComponent simulator;

    @BeforeEach
    void activate() {
        simulator = new SimulatorComponent(inventory, config(baseDir.toString()));
    }

    @AfterEach
    void deactivate() {
        simulator.deactivate();
    }

    @Test
    void startedServersAreRegisteredWithTheirHostKeys() {
        List<SimulatedHost> hosts = simulator.start("demo", simulator.demoMix(6));

        assertThat(inventory.servers(null)).hasSize(6);
        SimulatedHost first = hosts.get(0);
        Server registered = inventory.requireServer("demo-01");
        assertThat(registered.hostKey()).isEqualTo(first.hostKey());
        assertThat(registered.address()).isEqualTo(URI.create("ssh://127.0.0.1:" + first.port()));
        assertThat(registered.keyFile()).isEqualTo(baseDir.resolve("client_key").toString());
        assertThat(registered.cluster()).isEqualTo(SimulatedFleet.CLUSTER);
    }

    @Test
    void startingAgainAddsHostsWithTheNextNumbers() {
        simulator.start("demo", simulator.demoMix(6));

        List<SimulatedHost> added = simulator.start("demo", simulator.demoMix(6).subList(0, 1));

        assertThat(added).extracting(SimulatedHost::name).containsExactly("demo-07");
        assertThat(simulator.hosts()).hasSize(7);
        assertThat(inventory.servers(null)).hasSize(7);
    }

    @Test
    void stopForgetsTheHostsAndTheNextStartBeginsAgain() {
        simulator.start("demo", simulator.demoMix(6));

        simulator.stop();

        assertThat(simulator.hosts()).isEmpty();
        assertThat(simulator.start("demo", simulator.demoMix(6).subList(0, 1)))
                .extracting(SimulatedHost::name).containsExactly("demo-01");
    }

    @Test
    void emptyBaseDirMeansTheKarafDataDirectory() {
        String previous = System.getProperty("karaf.data");
        System.setProperty("karaf.data", baseDir.resolve("data").toString());
        try {
            SimulatorComponent defaulted = new SimulatorComponent(inventory, config(""));
            try {
                SimulatedHost host = defaulted.start("sim", simulator.demoMix(6).subList(0, 1)).get(0);
                assertThat(host.root()).isEqualTo(baseDir.resolve("data/simulator/sim-01"));
            } finally {
                defaulted.deactivate();
            }
        } finally {
            if (previous == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", previous);
            }
        }
    }

    private static SimulatorComponent.Config config(String baseDir) {
        return new SimulatorComponent.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SimulatorComponent.Config.class;
            }

            @Override
            public String baseDir() {
                return baseDir;
            }

            @Override
            public long dropAfterBytes() {
                return SimulatedFleet.DEFAULT_DROP_AFTER_BYTES;
            }

            @Override
            public long diskQuotaBytes() {
                return SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES;
            }
        };
    }

    /** The part of an inventory the simulator uses, in memory. */
    private static final class RecordingInventory implements Inventory {

        private final Map<String, Server> servers = new TreeMap<>();
        private final List<AuditEntry> audit = new ArrayList<>();

        @Override
        public void addServers(List<Server> added) {
            throw new UnsupportedOperationException("the simulator replaces servers, it does not add them");
        }

        @Override
        public void putServers(List<Server> put) {
            put.forEach(server -> servers.put(server.name(), server));
        }

        @Override
        public Optional<Server> server(String name) {
            return Optional.ofNullable(servers.get(name));
        }

        @Override
        public List<Server> servers(String cluster) {
            return servers.values().stream().filter(s -> cluster == null || cluster.equals(s.cluster())).toList();
        }

        @Override
        public void trustHostKey(String server, String hostKey) {
            servers.computeIfPresent(server, (name, known) -> known.withHostKey(hostKey));
        }

        @Override
        public boolean removeServer(String name) {
            return servers.remove(name) != null;
        }

        @Override
        public void recordInspection(Inspection inspection) {
            throw new UnsupportedOperationException("the simulator inspects nothing");
        }

        @Override
        public Optional<Inspection> lastInspection(String server) {
            return Optional.empty();
        }

        @Override
        public void audit(String actor, String action, String detail) {
            audit.add(new AuditEntry(Instant.now(), actor, action, detail));
        }

        @Override
        public List<AuditEntry> audit(int limit) {
            return audit.stream().limit(limit).toList();
        }
    }
}
