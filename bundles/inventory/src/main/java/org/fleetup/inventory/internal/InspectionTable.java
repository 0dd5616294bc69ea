package org.fleetup.inventory.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;

/** The history of what reading each server's version found. */
final class InspectionTable {

    private final InventoryDatabase database;

    InspectionTable(InventoryDatabase database) {
        this.database = database;
    }

    void record(Inspection inspection) {
        if (inspection.at() == null || inspection.status() == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "An inspection of " + inspection.server()
                    + " has no time or no status; an inspector fills both.");
        }
        database.run("record the inspection of " + inspection.server(), connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO inspections (server, product, status, version, detail, inspected_at, took_nanos)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, inspection.server());
                insert.setString(2, inspection.product());
                insert.setString(3, inspection.status().name());
                insert.setString(4, inspection.version());
                insert.setString(5, inspection.detail());
                InventoryDatabase.setInstant(insert, 6, inspection.at());
                if (inspection.took() == null) {
                    insert.setNull(7, Types.BIGINT);
                } else {
                    insert.setLong(7, inspection.took().toNanos());
                }
                insert.executeUpdate();
            } catch (SQLException e) {
                if (InventoryDatabase.missingParent(e)) {
                    throw ServerTable.notFound(inspection.server());
                }
                throw e;
            }
            return null;
        });
    }

    Optional<Inspection> last(String server) {
        return database.run("read the last inspection of " + server, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT server, product, status, version, detail, inspected_at, took_nanos FROM inspections"
                            + " WHERE server = ? ORDER BY inspected_at DESC, id DESC FETCH FIRST ROW ONLY")) {
                select.setString(1, server);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(inspection(row)) : Optional.empty();
                }
            }
        });
    }

    private static Inspection inspection(ResultSet row) throws SQLException {
        long tookNanos = row.getLong("took_nanos");
        Duration took = row.wasNull() ? null : Duration.ofNanos(tookNanos);
        return new Inspection(row.getString("server"), row.getString("product"),
                Inspection.Status.valueOf(row.getString("status")), row.getString("version"),
                row.getString("detail"), InventoryDatabase.getInstant(row, "inspected_at"), took);
    }
}
