package org.fleetup.inventory.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.AuditEntry;

/** Who did what, when. Entries are only ever added. */
final class AuditTable {

    private final InventoryDatabase database;

    AuditTable(InventoryDatabase database) {
        this.database = database;
    }

    void add(String actor, String action, String detail) {
        if (action == null || action.isBlank()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "An audit entry needs an action.");
        }
        database.run("record an audit entry", connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO audit (audited_at, actor, action, detail) VALUES (?, ?, ?, ?)")) {
                InventoryDatabase.setInstant(insert, 1, Instant.now());
                insert.setString(2, actor);
                insert.setString(3, action);
                insert.setString(4, detail);
                return insert.executeUpdate();
            }
        });
    }

    /** The latest {@code limit} entries, newest first; the order of adding decides, not the clock. */
    List<AuditEntry> latest(int limit) {
        if (limit < 0) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "Cannot show " + limit + " audit entries; ask for 0 or more.");
        }
        return database.run("read the audit trail", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT audited_at, actor, action, detail FROM audit ORDER BY id DESC FETCH FIRST ? ROWS ONLY")) {
                select.setInt(1, limit);
                List<AuditEntry> entries = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        entries.add(new AuditEntry(InventoryDatabase.getInstant(row, "audited_at"), row.getString("actor"),
                                row.getString("action"), row.getString("detail")));
                    }
                }
                return entries;
            }
        });
    }
}
