package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import org.fleetup.api.FleetupException;
import org.h2.tools.RunScript;

/**
 * Creates the tables and columns that are missing, fills in what a newer version derives from older rows (the login
 * keys of {@link ServerLogins}), and records the schema version, so that a later Fleetup knows what it finds and can
 * migrate it.
 */
final class Schema {

    /** The version {@code schema.sql} creates. */
    static final int VERSION = 2;

    private static final String SCRIPT = "schema.sql";

    private Schema() {
    }

    /** @return the version found before, 0 for a new database */
    static int apply(Connection connection) throws SQLException {
        runScript(connection);
        int found = recordedVersion(connection);
        if (found > VERSION) {
            throw new FleetupException(FleetupException.INVENTORY_FAILED, "The inventory database has schema version "
                    + found + ", written by a newer Fleetup; this one knows up to version " + VERSION
                    + ". Run the newer Fleetup, or point org.fleetup.inventory url at another database.");
        }
        ServerLogins.keyUnkeyed(connection);
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

    private static void runScript(Connection connection) throws SQLException {
        try (InputStream script = Schema.class.getResourceAsStream(SCRIPT)) {
            if (script == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the inventory bundle");
            }
            try (Reader reader = new InputStreamReader(script, StandardCharsets.UTF_8)) {
                RunScript.execute(connection, reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + SCRIPT + " from the inventory bundle", e);
        }
    }

    private static int recordedVersion(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT MAX(version) FROM schema_version");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
