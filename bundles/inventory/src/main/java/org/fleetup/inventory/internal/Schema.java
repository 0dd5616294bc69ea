package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;

/**
 * Creates the tables and columns that are missing, fills in what a newer version derives from older rows (the login
 * keys of {@link ServerLogins}), and records the schema version, so that a later Fleetup knows what it finds and can
 * migrate it. The caller runs it in one transaction, under the {@link Dialect#lockSchema schema lock}: in PostgreSQL the
 * whole migration is atomic, and controllers started together migrate one after the other, the later ones finding it
 * done.
 */
final class Schema {

    /** The version {@code schema.sql} creates. */
    static final int VERSION = 9;

    private static final String SCRIPT = "schema.sql";

    private Schema() {
    }

    /** @return the version found before, 0 for a new database */
    static int apply(Connection connection, Dialect dialect) throws SQLException {
        int found = hasVersions(connection) ? recordedVersion(connection) : 0;
        if (found > VERSION) {
            throw new FleetupException(FleetupException.INVENTORY_FAILED, "The inventory database has schema version "
                    + found + ", written by a newer Fleetup; this one knows up to version " + VERSION
                    + ". Run the newer Fleetup, or point org.fleetup.inventory url at another database.");
        }
        if (found < VERSION) {
            // Only then: altering a table waits for every transaction on it, and holds back every later one, of the
            // controllers already at work on the same database.
            runScript(connection, dialect);
            found = recordedVersion(connection);
        }
        ServerLogins.keyUnkeyed(connection);
        if (found < 3) {
            actionsFromRolloutServers(connection, dialect);
        }
        if (found < 6) {
            // also a version 1 inventory, which recorded no version (found 0) but host keys already
            ServerTrustTable.fromHostKeys(connection);
        }
        if (found < VERSION) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)")) {
                insert.setInt(1, VERSION);
                InventoryDatabase.setInstant(insert, 2, Instant.now());
                insert.executeUpdate();
            }
        }
        return found;
    }

    /**
     * Version 3 keeps a rollout's servers as actions in waves: each rollout of an older Fleetup becomes one wave that
     * never halts (it had no threshold), and each of its servers an action of that wave, with its step, versions and
     * detail. The database's one-rollout-per-server index does not cover these rows (an older inventory may hold
     * overlaps it never refused); the controller's own check still does.
     */
    private static void actionsFromRolloutServers(Connection connection, Dialect dialect) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO rollout_waves (rollout, number, size, max_errors, status,"
                    + " started_at, ended_at) SELECT r.id, 1, c.n, c.n + 1, CASE WHEN r.status = 'SCHEDULED' THEN"
                    + " 'PENDING' WHEN r.status IN ('FINISHED', 'ABORTED', 'CANCELLED') THEN 'DONE' ELSE 'RUNNING'"
                    + " END, r.start_at, r.finished_at FROM rollouts r JOIN (SELECT rollout, COUNT(*) n FROM"
                    + " rollout_servers GROUP BY rollout) c ON c.rollout = r.id WHERE NOT EXISTS (SELECT 1 FROM"
                    + " rollout_waves w WHERE w.rollout = r.id)");
            statement.executeUpdate("INSERT INTO rollout_actions (id, rollout, wave, position, server, step,"
                    + " from_version, to_version, detail, updated_at) SELECT " + dialect.randomUuid() + ", s.rollout, 1, s.position,"
                    + " s.server, s.state, s.from_version, s.to_version, s.detail, s.updated_at FROM rollout_servers s"
                    + " WHERE NOT EXISTS (SELECT 1 FROM rollout_actions a WHERE a.rollout = s.rollout"
                    + " AND a.server = s.server)");
        }
    }

    private static void runScript(Connection connection, Dialect dialect) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String sql : statements(dialect.sql(read(SCRIPT)))) {
                statement.execute(sql);
            }
        }
    }

    static String read(String resource) {
        try (InputStream script = Schema.class.getResourceAsStream(resource)) {
            if (script == null) {
                throw new IllegalStateException(resource + " is missing from the inventory bundle");
            }
            return new String(script.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource + " from the inventory bundle", e);
        }
    }

    /**
     * The statements of a script as the inventory writes them: {@code --} comments on lines of their own, each
     * statement ended by a {@code ;} at the end of a line.
     */
    static List<String> statements(String script) {
        String code = script.lines()
                .filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(code.split(";\\s*(\\n|$)"))
                .map(String::strip)
                .filter(sql -> !sql.isEmpty())
                .toList();
    }

    /** Whether the database has the table of schema versions: H2 names it in capitals, PostgreSQL in lower case. */
    private static boolean hasVersions(Connection connection) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, connection.getSchema(), null,
                new String[] {"TABLE"})) {
            while (tables.next()) {
                if ("schema_version".equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int recordedVersion(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT MAX(version) FROM schema_version");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
