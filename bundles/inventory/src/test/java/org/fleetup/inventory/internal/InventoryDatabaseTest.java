package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aReopenedInventoryHasItsFleetAndRollouts() {
        Server server = new Server("web-01", "eu", URI.create("ssh://127.0.0.1:2201"), LoginSettings.of("deploy",
                "/keys/k"),
                Map.of("site", "paris"));
        Rollout rollout = JdbcRolloutRepositoryTest.rollout("r1", List.of("web-01"),
                TestDatabases.kept(Instant.now()));
        // A rollout saved without waves has one, numbered 1.
        RolloutServer done = new RolloutServer("r1", "web-01", StepState.DONE, "1.4.2", "2.0.0", "upgraded",
                TestDatabases.kept(Instant.now()), 1);
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            new JdbcInventory(database).addServers(List.of(server));
            JdbcRolloutRepository repository = new JdbcRolloutRepository(database);
            repository.saveRollout(rollout);
            repository.saveServer(done);
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(new JdbcInventory(database).servers(null)).containsExactly(server);
            JdbcRolloutRepository repository = new JdbcRolloutRepository(database);
            assertThat(repository.rollouts()).containsExactly(rollout);
            assertThat(repository.servers("r1")).containsExactly(done);
        }
    }

    @Test
    void closingReleasesTheDatabaseFile() throws IOException {
        assumeTrue(TestDatabases.h2(), "H2's own file");
        InventoryDatabase database = TestDatabases.open(dir);
        new JdbcInventory(database).audit("test", "touch", null);
        try (FileChannel file = FileChannel.open(TestDatabases.file(dir), StandardOpenOption.WRITE)) {
            assertThatThrownBy(file::tryLock).isInstanceOf(OverlappingFileLockException.class);

            database.close();

            try (FileLock lock = file.tryLock()) {
                assertThat(lock).isNotNull();
            }
        }
    }

    @Test
    void aDatabaseOfANewerSchemaIsRefused() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            database.run("pretend a newer Fleetup wrote it", connection -> {
                try (PreparedStatement insert = connection.prepareStatement(
                        "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                    insert.setInt(1, Schema.VERSION + 1);
                    InventoryDatabase.setInstant(insert, 2, Instant.now());
                    return insert.executeUpdate();
                }
            });
        }

        assertThatThrownBy(() -> TestDatabases.open(dir))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVENTORY_FAILED))
                .hasMessageContaining("newer Fleetup");
    }

    @Test
    void aWrongPasswordFailsWithoutShowingAnyPassword() {
        assumeTrue(TestDatabases.h2(), "the tests' PostgreSQL trusts 127.0.0.1: it checks no password");
        TestDatabases.open(dir).close();
        String wrong = "not-the-password-42";

        assertThatThrownBy(() -> new InventoryDatabase(TestDatabases.url(dir), TestDatabases.USER, wrong, 2))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVENTORY_FAILED))
                .message()
                .contains(TestDatabases.url(dir))
                .doesNotContain(wrong, TestDatabases.PASSWORD);
    }

    @Test
    void settingsInTheUrlAreLeftOutOfMessages() {
        assertThat(InventoryDatabase.location("jdbc:h2:file:/data/fleetup;PASSWORD=secret;CIPHER=AES"))
                .isEqualTo("jdbc:h2:file:/data/fleetup");
    }

    @Test
    void settingsOfAPostgresqlUrlAreLeftOutOfMessages() {
        assertThat(InventoryDatabase.location("jdbc:postgresql://db.example:5432/fleetup?password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db.example:5432/fleetup");
    }

    @Test
    void aPostgresqlServerThatDoesNotAnswerIsNamedWithWhatToCheck() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + closed + "/fleetup";

        assertThatThrownBy(() -> new InventoryDatabase(url + "?password=secret-in-url&connectTimeout=5", "fleetup",
                "secret-configured", 2))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVENTORY_FAILED))
                .message()
                .contains(url + " could not", "Check that the PostgreSQL server is reachable")
                .doesNotContain("secret");
    }

    @Test
    void aUrlOfAnotherDatabaseIsRefusedNamingTheOnesTaken() {
        assertThatThrownBy(() -> new InventoryDatabase("jdbc:mysql://db/fleetup?password=secret", "u", "p", 2))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .message()
                .contains("jdbc:mysql://db/fleetup", "jdbc:postgresql://", "jdbc:h2:")
                .doesNotContain("secret");
    }

    @Test
    void theDefaultDatabaseIsAFileUnderTheKarafDataDir() {
        String before = System.getProperty("karaf.data");
        System.setProperty("karaf.data", dir.toString());
        try {
            assertThat(InventoryDatabase.defaultUrl())
                    .isEqualTo("jdbc:h2:file:" + dir.resolve("inventory").resolve("fleetup") + ";QUERY_CACHE_SIZE=64");
        } finally {
            if (before == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", before);
            }
        }
    }
}
