package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.assertj.core.groups.Tuple;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.tools.RunScript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An inventory written by an older Fleetup opens, keeps its data and gains what the newer schema adds. */
class SchemaMigrationTest {

    @TempDir
    Path dir;

    @Test
    void aVersion1InventoryWithTwoRecordsForOneLoginOpensKeepsBothAndRefusesAThird() throws Exception {
        writeVersion1Inventory(
                "INSERT INTO servers (name, cluster, address, login_user, created_at, updated_at) VALUES"
                        + " ('old', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00'),"
                        + " ('copy', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00'),"
                        + " ('other', 'default', 'ssh://10.0.0.2:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-03-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-03-01 00:00:00+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(rows(database)).containsExactly(
                    tuple("copy", null),
                    tuple("old", "deploy@10.0.0.1:22"),
                    tuple("other", "deploy@10.0.0.2:22"));
            assertThat(versions(database)).containsExactly(1, Schema.VERSION);

            JdbcInventory inventory = new JdbcInventory(database);
            assertThatThrownBy(() -> inventory.addServers(List.of(new Server("third", null,
                    URI.create("ssh://10.0.0.1:22"), "deploy", "/k", null, null))))
                    .isInstanceOf(FleetupException.class)
                    .hasMessageContaining("'third'")
                    .hasMessageContaining("'old'");
        }
    }

    @Test
    void aLoginFreedByRemovingTheOlderRecordGoesToTheOtherAtTheNextStart() throws Exception {
        writeVersion1Inventory(
                "INSERT INTO servers (name, cluster, address, login_user, created_at, updated_at) VALUES"
                        + " ('old', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00'),"
                        + " ('copy', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00')");
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            new JdbcInventory(database).removeServer("old");
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(rows(database)).containsExactly(tuple("copy", "deploy@10.0.0.1:22"));
        }
    }

    @Test
    void aVersion2InventoryKeepsItsRolloutsAndTheirServersAsActionsOfOneWave() throws Exception {
        writeInventory("schema-v2.sql",
                "INSERT INTO rollouts (id, product, version, parallelism, force, status, created_at, start_at,"
                        + " finished_at, detail) VALUES ('0a1b2c3d', 'demo-app', '2.0.0', 2, FALSE, 'FINISHED',"
                        + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:10:00+00',"
                        + " '1 failed, 1 upgraded'), ('4e5f6a7b', 'demo-app', '2.0.1', 1, FALSE, 'RUNNING',"
                        + " TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', NULL, NULL)",
                "INSERT INTO rollout_servers (rollout, server, position, state, from_version, to_version, detail,"
                        + " updated_at) VALUES ('0a1b2c3d', 'web-02', 0, 'DONE', '1.4.2', '2.0.0', 'upgraded',"
                        + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:05:00+00'), ('0a1b2c3d', 'web-01', 1, 'FAILED',"
                        + " '1.4.2', NULL, 'disk full', TIMESTAMP WITH TIME ZONE '2025-01-01 00:06:00+00'),"
                        + " ('4e5f6a7b', 'web-02', 0, 'TRANSFERRING', '2.0.0', NULL, 'sending',"
                        + " TIMESTAMP WITH TIME ZONE '2025-02-01 00:01:00+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).containsExactly(2, Schema.VERSION);
            JdbcRolloutRepository repository = new JdbcRolloutRepository(database);
            assertThat(repository.servers("0a1b2c3d"))
                    .extracting(RolloutServer::server, RolloutServer::state, RolloutServer::from, RolloutServer::to,
                            RolloutServer::detail, RolloutServer::wave)
                    .containsExactly(tuple("web-02", StepState.DONE, "1.4.2", "2.0.0", "upgraded", 1),
                            tuple("web-01", StepState.FAILED, "1.4.2", null, "disk full", 1));
            assertThat(repository.waves("0a1b2c3d")).extracting(Wave::number, Wave::size, Wave::status)
                    .containsExactly(tuple(1, 2, WaveStatus.DONE));
            assertThat(repository.waves("4e5f6a7b")).extracting(Wave::number, Wave::status, Wave::maxErrors)
                    .as("a running rollout of an older Fleetup goes on in one wave, with no threshold")
                    .containsExactly(tuple(1, WaveStatus.RUNNING, 2));
            assertThat(repository.actions("4e5f6a7b")).singleElement().satisfies(action -> {
                assertThat(UUID.fromString(action.id())).isNotNull();
                assertThat(action.step()).isEqualTo(StepState.TRANSFERRING);
                assertThat(action.leaseOwner()).isNull();
            });
            assertThat(repository.rollout("0a1b2c3d").orElseThrow().servers()).containsExactly("web-02", "web-01");
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(new JdbcRolloutRepository(database).servers("0a1b2c3d")).as("migrated once").hasSize(2);
        }
    }

    /** A database as Fleetup wrote it at schema version 1, holding {@code rows}. */
    private void writeVersion1Inventory(String rows) throws Exception {
        writeInventory("schema-v1.sql", rows);
    }

    /** A database as Fleetup wrote it with {@code schema}, holding {@code rows}. */
    private void writeInventory(String schema, String... rows) throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create(TestDatabases.url(dir), TestDatabases.USER,
                TestDatabases.PASSWORD);
        try (Connection connection = pool.getConnection();
             InputStream script = SchemaMigrationTest.class.getResourceAsStream(schema);
             Reader reader = new InputStreamReader(script, StandardCharsets.UTF_8)) {
            RunScript.execute(connection, reader);
            if (schema.equals("schema-v2.sql")) {
                try (PreparedStatement version = connection.prepareStatement("INSERT INTO schema_version (version,"
                        + " applied_at) VALUES (2, CURRENT_TIMESTAMP)")) {
                    version.executeUpdate();
                }
            }
            for (String insert : rows) {
                try (PreparedStatement statement = connection.prepareStatement(insert)) {
                    statement.executeUpdate();
                }
            }
        } finally {
            pool.dispose();
        }
    }

    private static List<Tuple> rows(InventoryDatabase database) {
        return database.run("read the servers", connection -> {
            List<Tuple> rows = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT name, login_key FROM servers ORDER BY name");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(tuple(row.getString(1), row.getString(2)));
                }
            }
            return rows;
        });
    }

    private static List<Integer> versions(InventoryDatabase database) {
        return database.run("read the schema versions", connection -> {
            List<Integer> versions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT version FROM schema_version ORDER BY version");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    versions.add(row.getInt(1));
                }
            }
            return versions;
        });
    }
}
