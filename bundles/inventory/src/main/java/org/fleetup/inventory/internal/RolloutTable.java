package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepState;
import org.h2.api.ErrorCode;

/**
 * Rollouts and where each of their servers stands. The order of {@link Rollout#servers()} is kept as each server's
 * position, so that a restarted controller takes the servers in the same order.
 */
final class RolloutTable {

    private static final String SELECT_ROLLOUT = "SELECT id, product, version, parallelism, force, status,"
            + " created_at, start_at, finished_at, detail FROM rollouts";
    private static final String IN_ORDER = " ORDER BY rollout, position, server";
    /** The statuses of the rollouts that have not ended, as SQL: {@code ('SCHEDULED', 'RUNNING', ...)}. */
    private static final String UNFINISHED = Arrays.stream(RolloutStatus.values())
            .filter(status -> !status.isFinal())
            .map(status -> "'" + status.name() + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    private final InventoryDatabase database;

    RolloutTable(InventoryDatabase database) {
        this.database = database;
    }

    /** Inserts or updates the rollout, and gives its servers their positions; a new server starts as pending. */
    void save(Rollout rollout) {
        database.transaction("save rollout " + rollout.id(), connection -> {
            try (PreparedStatement merge = connection.prepareStatement(
                    "MERGE INTO rollouts (id, product, version, parallelism, force, status, created_at, start_at,"
                            + " finished_at, detail) KEY (id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                merge.setString(1, rollout.id());
                merge.setString(2, rollout.product());
                merge.setString(3, rollout.version());
                merge.setInt(4, rollout.parallelism());
                merge.setBoolean(5, rollout.force());
                merge.setString(6, rollout.status().name());
                InventoryDatabase.setInstant(merge, 7, rollout.createdAt());
                InventoryDatabase.setInstant(merge, 8, rollout.startAt());
                InventoryDatabase.setInstant(merge, 9, rollout.finishedAt());
                merge.setString(10, rollout.detail());
                merge.executeUpdate();
            }
            removeServersLeftOut(connection, rollout);
            placeServers(connection, rollout);
            return null;
        });
    }

    Optional<Rollout> find(String id) {
        return database.run("read rollout " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE id = ?")) {
                select.setString(1, id);
                return rollouts(select, serverNames(connection, id)).stream().findFirst();
            }
        });
    }

    List<Rollout> list() {
        return database.run("list rollouts", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    SELECT_ROLLOUT + " ORDER BY created_at DESC NULLS LAST, id DESC")) {
                return rollouts(select, serverNames(connection, null));
            }
        });
    }

    /** Only the rows whose status is one of those that have not ended are read: an unknown status is never parsed. */
    List<Rollout> unfinished() {
        return database.run("list the rollouts that have not ended", connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE status IN "
                    + UNFINISHED + " ORDER BY created_at NULLS FIRST, id")) {
                return rollouts(select, serverNamesWhere(connection, "rollout IN (SELECT id FROM rollouts WHERE status IN "
                        + UNFINISHED + ")"));
            }
        });
    }

    /**
     * Records where one server of a rollout stands. A server the rollout did not list is added after the others.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND} when the rollout was never saved
     */
    void saveServer(RolloutServer server) {
        database.run("save the state of " + server.server() + " in rollout " + server.rollout(), connection -> {
            try (PreparedStatement merge = connection.prepareStatement(
                    "MERGE INTO rollout_servers target USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                            + " CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                            + " CAST(? AS TIMESTAMP(9) WITH TIME ZONE)))"
                            + " AS source (rollout, server, state, from_version, to_version, detail, updated_at)"
                            + " ON target.rollout = source.rollout AND target.server = source.server"
                            + " WHEN MATCHED THEN UPDATE SET state = source.state,"
                            + " from_version = source.from_version, to_version = source.to_version,"
                            + " detail = source.detail, updated_at = source.updated_at"
                            + " WHEN NOT MATCHED THEN INSERT (rollout, server, position, state, from_version,"
                            + " to_version, detail, updated_at) VALUES (source.rollout, source.server,"
                            + " (SELECT COALESCE(MAX(position) + 1, 0) FROM rollout_servers"
                            + " WHERE rollout = source.rollout), source.state, source.from_version,"
                            + " source.to_version, source.detail, source.updated_at)")) {
                merge.setString(1, server.rollout());
                merge.setString(2, server.server());
                merge.setString(3, server.state().name());
                merge.setString(4, server.from());
                merge.setString(5, server.to());
                merge.setString(6, server.detail());
                InventoryDatabase.setInstant(merge, 7, server.updatedAt());
                return merge.executeUpdate();
            } catch (SQLException e) {
                if (e.getErrorCode() == ErrorCode.REFERENTIAL_INTEGRITY_VIOLATED_PARENT_MISSING_1) {
                    throw notFound(server.rollout());
                }
                throw e;
            }
        });
    }

    /** Ordered as the rollout's servers are; empty for an unknown rollout. */
    List<RolloutServer> servers(String rollout) {
        return database.run("read the servers of rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT rollout, server, state, from_version, to_version, detail, updated_at"
                            + " FROM rollout_servers WHERE rollout = ?" + IN_ORDER)) {
                select.setString(1, rollout);
                List<RolloutServer> servers = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        servers.add(new RolloutServer(row.getString("rollout"), row.getString("server"),
                                StepState.valueOf(row.getString("state")), row.getString("from_version"),
                                row.getString("to_version"), row.getString("detail"),
                                InventoryDatabase.getInstant(row, "updated_at")));
                    }
                }
                return servers;
            }
        });
    }

    private static FleetupException notFound(String rollout) {
        return new FleetupException(FleetupException.ROLLOUT_NOT_FOUND, "Unknown rollout '" + rollout
                + "'; save the rollout before the state of its servers. 'fleet:rollout-status' lists the rollouts.");
    }

    private static void removeServersLeftOut(Connection connection, Rollout rollout) throws SQLException {
        Set<String> kept = new HashSet<>(rollout.servers());
        List<String> leftOut = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT server FROM rollout_servers WHERE rollout = ?")) {
            select.setString(1, rollout.id());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    if (!kept.contains(row.getString(1))) {
                        leftOut.add(row.getString(1));
                    }
                }
            }
        }
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM rollout_servers WHERE rollout = ? AND server = ?")) {
            for (String server : leftOut) {
                delete.setString(1, rollout.id());
                delete.setString(2, server);
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    private static void placeServers(Connection connection, Rollout rollout) throws SQLException {
        try (PreparedStatement merge = connection.prepareStatement(
                "MERGE INTO rollout_servers target USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                        + " CAST(? AS INTEGER), CAST(? AS TIMESTAMP(9) WITH TIME ZONE)))"
                        + " AS source (rollout, server, position, at)"
                        + " ON target.rollout = source.rollout AND target.server = source.server"
                        + " WHEN MATCHED THEN UPDATE SET position = source.position"
                        + " WHEN NOT MATCHED THEN INSERT (rollout, server, position, state, updated_at)"
                        + " VALUES (source.rollout, source.server, source.position, '" + StepState.PENDING.name()
                        + "', source.at)")) {
            for (int position = 0; position < rollout.servers().size(); position++) {
                merge.setString(1, rollout.id());
                merge.setString(2, rollout.servers().get(position));
                merge.setInt(3, position);
                InventoryDatabase.setInstant(merge, 4, rollout.createdAt());
                merge.addBatch();
            }
            merge.executeBatch();
        }
    }

    /** Reads the rollouts {@code select} finds, giving each its servers from {@code servers}. */
    private static List<Rollout> rollouts(PreparedStatement select, Map<String, List<String>> servers)
            throws SQLException {
        List<Rollout> rollouts = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                String id = row.getString("id");
                rollouts.add(new Rollout(id, row.getString("product"), row.getString("version"),
                        servers.getOrDefault(id, List.of()), row.getInt("parallelism"), row.getBoolean("force"),
                        RolloutStatus.valueOf(row.getString("status")), InventoryDatabase.getInstant(row, "created_at"),
                        InventoryDatabase.getInstant(row, "start_at"), InventoryDatabase.getInstant(row, "finished_at"),
                        row.getString("detail")));
            }
        }
        return rollouts;
    }

    /** The servers of one rollout, or of all when {@code rollout} is {@code null}, in their order. */
    private static Map<String, List<String>> serverNames(Connection connection, String rollout) throws SQLException {
        return rollout == null
                ? serverNamesWhere(connection, "TRUE")
                : serverNamesWhere(connection, "rollout = ?", rollout);
    }

    /** The servers of the rollouts {@code where} selects, in their order. */
    private static Map<String, List<String>> serverNamesWhere(Connection connection, String where,
                                                              String... parameters)
            throws SQLException {
        Map<String, List<String>> servers = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT rollout, server FROM rollout_servers WHERE " + where + IN_ORDER)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setString(i + 1, parameters[i]);
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    servers.computeIfAbsent(row.getString("rollout"), r -> new ArrayList<>())
                            .add(row.getString("server"));
                }
            }
        }
        return servers;
    }
}
