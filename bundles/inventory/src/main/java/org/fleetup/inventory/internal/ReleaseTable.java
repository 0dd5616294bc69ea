package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;

/** What is known of each release; the bytes are in the release store. */
final class ReleaseTable {

    private static final String SELECT = "SELECT product, version, kind, sha256, size_bytes, file_name, added_at"
            + " FROM releases";

    private final InventoryDatabase database;

    ReleaseTable(InventoryDatabase database) {
        this.database = database;
    }

    /** Adds a release; adding the same one again changes nothing, adding other bytes under its version is refused. */
    void add(Release release) {
        // One statement, committed by itself: in PostgreSQL a refused insert ends the transaction it is in, and the
        // read of the release already there must come after it.
        database.run("add release " + release.coordinates(), connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO releases (product, version, kind, sha256, size_bytes, file_name, added_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, release.product());
                insert.setString(2, release.version());
                insert.setString(3, release.kind());
                insert.setString(4, release.sha256());
                insert.setLong(5, release.size());
                insert.setString(6, release.fileName());
                InventoryDatabase.setInstant(insert, 7, release.addedAt());
                insert.executeUpdate();
            } catch (SQLException e) {
                if (!InventoryDatabase.duplicateKey(e)) {
                    throw e;
                }
                Release existing = find(connection, release.product(), release.version()).orElseThrow(() -> e);
                if (!existing.sha256().equals(release.sha256())) {
                    throw new FleetupException(FleetupException.RELEASE_CONFLICT, "Release "
                            + release.coordinates() + " exists already with other content (SHA-256 "
                            + existing.sha256() + "). Give the new artifact another version.", e);
                }
            }
            return null;
        });
    }

    Optional<Release> find(String product, String version) {
        return database.run("read release " + product + "/" + version,
                connection -> find(connection, product, version));
    }

    List<Release> list() {
        return database.run("list releases", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT + " ORDER BY product, added_at, version")) {
                return releases(select);
            }
        });
    }

    private static Optional<Release> find(Connection connection, String product, String version) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + " WHERE product = ? AND version = ?")) {
            select.setString(1, product);
            select.setString(2, version);
            return releases(select).stream().findFirst();
        }
    }

    private static List<Release> releases(PreparedStatement select) throws SQLException {
        List<Release> releases = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                releases.add(new Release(row.getString("product"), row.getString("version"), row.getString("kind"),
                        row.getString("sha256"), row.getLong("size_bytes"), row.getString("file_name"),
                        InventoryDatabase.getInstant(row, "added_at")));
            }
        }
        return releases;
    }
}
