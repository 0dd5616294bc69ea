package org.fleetup.simulator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.inventory.internal.InventoryDatabase;
import org.fleetup.inventory.internal.JdbcInventory;
import org.fleetup.simulator.SimulatedFleet;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator as a component, writing into a real inventory (H2 files under a temporary directory). */
class SimulatorComponentTest {

    @TempDir
    Path baseDir;

    @TempDir
    Path inventoryDir;

    private InventoryDatabase database;
    private JdbcInventory inventory;
    private SimulatorComponent simulator;

    @BeforeEach
    void activate() {
        String url = "jdbc:h2:file:" + inventoryDir.resolve("fleetup");
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "fleetup", "test");
        database = new InventoryDatabase(pool, url, pool::dispose);
        inventory = new JdbcInventory(database);
        simulator = new SimulatorComponent(inventory, config(baseDir.toString()));
    }

    @AfterEach
    void deactivate() {
        simulator.deactivate();
        database.close();
    }

    @Test
    void startedServersAreRegisteredWithTheirHostKeysAndMarkedAsSimulated() {
        List<SimulatedHost> hosts = simulator.start("demo", simulator.demoMix(6));

        assertThat(inventory.servers(null)).hasSize(6);
        SimulatedHost first = hosts.get(0);
        Server registered = inventory.requireServer("demo-01");
        assertThat(inventory.trusted(registered)).contains(first.hostKey());
        assertThat(registered.address()).isEqualTo(URI.create("ssh://127.0.0.1:" + first.port()));
        assertThat(LoginSettings.keyFile(registered)).isEqualTo(baseDir.resolve("client_key").toString());
        assertThat(registered.cluster()).isEqualTo(SimulatedFleet.CLUSTER);
        assertThat(SimulatedFleet.isSimulated(registered)).isTrue();
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
    void stopForgetsTheHostsAndTheNextStartReplacesItsOwnRecords() {
        SimulatedHost before = simulator.start("demo", simulator.demoMix(6)).get(0);

        simulator.stop();

        assertThat(simulator.hosts()).isEmpty();
        SimulatedHost after = simulator.start("demo", List.of(new HostSpec("1.0.0", null))).get(0);
        assertThat(after.name()).isEqualTo("demo-01");
        assertThat(after.port()).isNotEqualTo(before.port());
        assertThat(inventory.requireServer("demo-01").address())
                .isEqualTo(URI.create("ssh://127.0.0.1:" + after.port()));
    }

    @Test
    void aServerItDidNotMakeIsNeverChangedAndNothingStarts() {
        Server real = new Server("web-01", "web", URI.create("ssh://10.0.0.1:22"), LoginSettings.of("deploy",
                "/keys/deploy"),
                Map.of("site", "paris"));
        inventory.addServers(List.of(real), Map.of("web-01", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB"));

        assertThatThrownBy(() -> simulator.start("web", simulator.demoMix(6)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("'web-01'")
                .hasMessageContaining("ssh://10.0.0.1:22")
                .hasMessageContaining("--prefix");

        assertThat(inventory.servers(null)).containsExactly(real);
        assertThat(inventory.trusted(real)).contains("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB");
        assertThat(simulator.hosts()).isEmpty();
    }

    @Test
    void aRecordOfAHostThatNoLongerRunsGivesWayToANewHostOnItsPort() {
        Server stopped = new Server("old-01", SimulatedFleet.CLUSTER, URI.create("ssh://127.0.0.1:40001"),
                LoginSettings.of("fleetup", "/k"), Map.of(SimulatedFleet.SIMULATED_ATTRIBUTE, "true"));
        Server running = new Server("run-01", SimulatedFleet.CLUSTER, URI.create("ssh://127.0.0.1:40002"),
                LoginSettings.of("fleetup", "/k"), Map.of(SimulatedFleet.SIMULATED_ATTRIBUTE, "true"));
        Server real = new Server("real", null, URI.create("ssh://127.0.0.1:40003"), LoginSettings.of("fleetup", "/k"),
                null);
        Server elsewhere = new Server("old-02", SimulatedFleet.CLUSTER, URI.create("ssh://127.0.0.1:40009"),
                LoginSettings.of("fleetup", "/k"), Map.of(SimulatedFleet.SIMULATED_ATTRIBUTE, "true"));
        List<Server> newHosts = List.of(
                new Server("new-01", null, URI.create("ssh://127.0.0.1:40001"), LoginSettings.of("fleetup", "/k"),
                        null),
                new Server("new-02", null, URI.create("ssh://127.0.0.1:40002"), LoginSettings.of("fleetup", "/k"),
                        null),
                new Server("new-03", null, URI.create("ssh://127.0.0.1:40003"), LoginSettings.of("fleetup", "/k"),
                        null));

        assertThat(SimulatorComponent.staleAt(List.of(stopped, running, real, elsewhere), newHosts,
                Set.of("run-01", "new-01", "new-02", "new-03")))
                .containsExactly(stopped);
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

            @Override
            public long busySeconds() {
                return SimulatedFleet.DEFAULT_BUSY_SECONDS;
            }

            @Override
            public long rebootSeconds() {
                return SimulatedFleet.DEFAULT_REBOOT_SECONDS;
            }
        };
    }
}
