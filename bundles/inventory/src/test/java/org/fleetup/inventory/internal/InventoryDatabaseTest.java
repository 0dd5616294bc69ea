package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

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

        assertThatThrownBy(() -> TestDatabases.open(TestDatabases.url(dir), TestDatabases.USER, wrong))
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

        assertThatThrownBy(() -> TestDatabases.open(url + "?password=secret-in-url&connectTimeout=5", "fleetup",
                "secret-configured"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVENTORY_FAILED))
                .message()
                .contains(url + " could not be opened", "Check that it is reachable",
                        "etc/org.ops4j.datasource-fleetup.cfg")
                .doesNotContain("secret");
    }

    @Test
    void theDialectIsTheOneTheDatabaseSaysItIs() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(database.dialect()).isEqualTo(TestDatabases.h2() ? Dialect.H2 : Dialect.POSTGRESQL);
        }
    }

    @Test
    void aDatabaseOfAnotherProductIsRefusedNamingTheOnesTaken() {
        // no third database here: a data source that says it is MySQL, as MySQL's driver would
        DataSource mysql = proxy(DataSource.class, "getConnection", proxy(Connection.class, "getMetaData",
                proxy(DatabaseMetaData.class, "getDatabaseProductName", "MySQL")));
        AtomicBoolean released = new AtomicBoolean();

        assertThatThrownBy(() -> new InventoryDatabase(mysql, "jdbc:mysql://db/fleetup?password=secret",
                () -> released.set(true)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .message()
                .contains("jdbc:mysql://db/fleetup", "MySQL", "jdbc:postgresql://", "jdbc:h2:",
                        "etc/org.ops4j.datasource-fleetup.cfg")
                .doesNotContain("secret");
        assertThat(released).isTrue();
    }

    @Test
    void theDatabaseSettingsOfAnEarlierVersionAreRefusedNamingTheFileToEdit() {
        Map<String, Object> earlier = Map.of("url", "jdbc:postgresql://db/fleetup", "user", "fleetup",
                "password", "secret-42", "maxConnections", "10", "service.pid", InventoryDatabase.PID);

        assertThatThrownBy(() -> InventoryDatabase.refuseEarlierSettings(earlier))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .message()
                .contains("etc/org.fleetup.inventory.cfg sets password, url,", "etc/org.ops4j.datasource-fleetup.cfg")
                .doesNotContain("secret-42", "db/fleetup");
    }

    @Test
    void theDefaultsAnEarlierVersionShippedAreLeftAlone() {
        Map<String, Object> shipped = Map.of("url", "", "user", "fleetup", "password", "", "maxConnections", "10");

        assertThatCode(() -> InventoryDatabase.refuseEarlierSettings(shipped)).doesNotThrowAnyException();
        assertThatCode(() -> InventoryDatabase.refuseEarlierSettings(Map.of())).doesNotThrowAnyException();
    }

    /** An instance of {@code type} whose {@code method} returns {@code value}, and every other one null. */
    private static <T> T proxy(Class<T> type, String method, Object value) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, called, arguments) -> called.getName().equals(method) ? value : null));
    }
}
