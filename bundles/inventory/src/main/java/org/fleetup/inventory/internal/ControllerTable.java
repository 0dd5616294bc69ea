package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.fleetup.api.rollout.Controller;
import org.fleetup.api.rollout.Election;

/**
 * The controllers sharing the inventory, each by the heartbeat of its incarnation, and the roles one of them at a time
 * is elected to. Both are written on a timer of their own, never on the way of a server's step.
 */
final class ControllerTable {

    /** How long a controller whose heartbeat stopped stays listed. */
    private static final Duration FORGOTTEN_AFTER = Duration.ofDays(1);

    private final InventoryDatabase database;

    ControllerTable(InventoryDatabase database) {
        this.database = database;
    }

    void heartbeat(String id, String address, Instant started, Instant now, Instant until) {
        database.run("record the heartbeat of controller " + id, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE controllers SET address = ?, heartbeat = ?, alive_until = ? WHERE id = ?")) {
                update.setString(1, address);
                InventoryDatabase.setInstant(update, 2, now);
                InventoryDatabase.setInstant(update, 3, until);
                update.setString(4, id);
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            // Its first heartbeat: the id is this incarnation's own, so no other controller inserts it meanwhile. The
            // rows of controllers dead for a day go then: listed that long, they told the operator what happened.
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM controllers WHERE alive_until < ?")) {
                InventoryDatabase.setInstant(delete, 1, now.minus(FORGOTTEN_AFTER));
                delete.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO controllers (id, address,"
                    + " started, heartbeat, alive_until) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, address);
                InventoryDatabase.setInstant(insert, 3, started);
                InventoryDatabase.setInstant(insert, 4, now);
                InventoryDatabase.setInstant(insert, 5, until);
                insert.executeUpdate();
            }
            return null;
        });
    }

    void leave(String id) {
        database.transaction("remove controller " + id, connection -> {
            try (PreparedStatement release = connection.prepareStatement(
                    "UPDATE controller_roles SET owner = NULL, lease_until = NULL WHERE owner = ?")) {
                release.setString(1, id);
                release.executeUpdate();
            }
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM controllers WHERE id = ?")) {
                delete.setString(1, id);
                delete.executeUpdate();
            }
            return null;
        });
    }

    List<Controller> controllers(Instant now) {
        return database.run("read the controllers", connection -> {
            Map<String, Integer> held = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT lease_owner, COUNT(*) FROM"
                    + " rollout_actions WHERE lease_owner IS NOT NULL AND lease_until >= ? GROUP BY lease_owner")) {
                InventoryDatabase.setInstant(select, 1, now);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        held.put(row.getString(1), row.getInt(2));
                    }
                }
            }
            Map<String, List<String>> roles = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT owner, role FROM controller_roles"
                    + " WHERE owner IS NOT NULL AND lease_until >= ? ORDER BY role")) {
                InventoryDatabase.setInstant(select, 1, now);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        roles.computeIfAbsent(row.getString(1), owner -> new ArrayList<>()).add(row.getString(2));
                    }
                }
            }
            List<Controller> controllers = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT id, address, started, heartbeat,"
                    + " alive_until FROM controllers ORDER BY id");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String id = row.getString("id");
                    controllers.add(new Controller(id, row.getString("address"),
                            InventoryDatabase.getInstant(row, "started"), InventoryDatabase.getInstant(row, "heartbeat"),
                            InventoryDatabase.getInstant(row, "alive_until"), held.getOrDefault(id, 0),
                            List.copyOf(roles.getOrDefault(id, List.of()))));
                }
            }
            return controllers;
        });
    }

    /**
     * One conditional update takes or keeps the role; the role's first election inserts its row, and of two
     * controllers inserting it together the database keeps one (its primary key), the other trying again next time.
     */
    OptionalLong elect(String role, String owner, Instant now, Instant until) {
        return database.run("elect " + owner + " to " + role, connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE controller_roles SET owner = ?,"
                    + " lease_until = ?, fence = fence + CASE WHEN owner = ? THEN 0 ELSE 1 END WHERE role = ?"
                    + " AND (owner = ? OR owner IS NULL OR lease_until IS NULL OR lease_until < ?"
                    + " OR NOT EXISTS (SELECT 1 FROM controllers c WHERE c.id = controller_roles.owner"
                    + " AND c.alive_until >= ?))")) {
                update.setString(1, owner);
                InventoryDatabase.setInstant(update, 2, until);
                update.setString(3, owner);
                update.setString(4, role);
                update.setString(5, owner);
                InventoryDatabase.setInstant(update, 6, now);
                InventoryDatabase.setInstant(update, 7, now);
                if (update.executeUpdate() > 0) {
                    return OptionalLong.of(fence(connection, role));
                }
            }
            try (PreparedStatement exists = connection.prepareStatement(
                    "SELECT 1 FROM controller_roles WHERE role = ?")) {
                exists.setString(1, role);
                try (ResultSet row = exists.executeQuery()) {
                    if (row.next()) {
                        return OptionalLong.empty();
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO controller_roles (role, owner, lease_until, fence) VALUES (?, ?, ?, 1)")) {
                insert.setString(1, role);
                insert.setString(2, owner);
                InventoryDatabase.setInstant(insert, 3, until);
                insert.executeUpdate();
                return OptionalLong.of(1);
            } catch (SQLException taken) {
                // Another controller inserted it first: it holds the role.
                return OptionalLong.empty();
            }
        });
    }

    /**
     * Whether {@code by} still holds its role, checked in the transaction of {@code connection} with the role's row
     * locked until it ends: an election that would depose it waits for the decision written meanwhile, and the
     * controller it elects reads that decision. A role its holder left, or another took, fails the check.
     */
    static boolean holds(Connection connection, Election by) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT fence FROM controller_roles"
                + " WHERE role = ? AND owner = ? AND fence = ? FOR UPDATE")) {
            select.setString(1, by.role());
            select.setString(2, by.owner());
            select.setLong(3, by.fence());
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    private static long fence(Connection connection, String role) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT fence FROM controller_roles WHERE role = ?")) {
            select.setString(1, role);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
