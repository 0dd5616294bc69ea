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

import org.assertj.core.groups.Tuple;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
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

    /** A database as Fleetup wrote it at schema version 1, holding {@code rows}. */
    private void writeVersion1Inventory(String rows) throws Exception {
        JdbcConnectionPool pool = JdbcConnectionPool.create(TestDatabases.url(dir), TestDatabases.USER,
                TestDatabases.PASSWORD);
        try (Connection connection = pool.getConnection();
             InputStream script = SchemaMigrationTest.class.getResourceAsStream("schema-v1.sql");
             Reader reader = new InputStreamReader(script, StandardCharsets.UTF_8)) {
            RunScript.execute(connection, reader);
            try (PreparedStatement insert = connection.prepareStatement(rows)) {
                insert.executeUpdate();
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
