package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveProgress;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;

/**
 * Rollouts, their waves, and where each of their servers stands (its action). The order of {@link Rollout#servers()}
 * is kept as each action's position, so that a restarted controller takes the servers in the same order.
 */
final class RolloutTable {

    private static final String SELECT_ROLLOUT = "SELECT id, product, version, parallelism, force, status,"
            + " created_at, start_at, finished_at, detail, canary, wave_size, max_errors, on_error, server_order,"
            + " created_by FROM rollouts";
    private static final String ROLLOUT_COLUMNS = "id, product, version, parallelism, force, status, created_at,"
            + " start_at, finished_at, detail, canary, wave_size, max_errors, on_error, server_order, created_by";
    /** Inserts a rollout or updates it, in standard SQL: the parameters in the order of {@link #setRollout}. */
    private static final String MERGE_ROLLOUT = "MERGE INTO rollouts target USING (VALUES (CAST(? AS VARCHAR),"
            + " CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS INTEGER), CAST(? AS BOOLEAN), CAST(? AS VARCHAR),"
            + " CAST(? AS TIMESTAMP(9) WITH TIME ZONE), CAST(? AS TIMESTAMP(9) WITH TIME ZONE),"
            + " CAST(? AS TIMESTAMP(9) WITH TIME ZONE), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
            + " CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR)))"
            + " AS source (" + ROLLOUT_COLUMNS + ") ON target.id = source.id"
            + " WHEN MATCHED THEN UPDATE SET product = source.product, version = source.version,"
            + " parallelism = source.parallelism, force = source.force, status = source.status,"
            + " created_at = source.created_at, start_at = source.start_at, finished_at = source.finished_at,"
            + " detail = source.detail, canary = source.canary, wave_size = source.wave_size,"
            + " max_errors = source.max_errors, on_error = source.on_error, server_order = source.server_order,"
            + " created_by = source.created_by"
            + " WHEN NOT MATCHED THEN INSERT (" + ROLLOUT_COLUMNS + ") VALUES (source.id, source.product,"
            + " source.version, source.parallelism, source.force, source.status, source.created_at, source.start_at,"
            + " source.finished_at, source.detail, source.canary, source.wave_size, source.max_errors,"
            + " source.on_error, source.server_order, source.created_by)";
    private static final String IN_ORDER = " ORDER BY rollout, position, server";
    /** The statuses of the rollouts that have not ended, as SQL: {@code ('SCHEDULED', 'RUNNING', ...)}. */
    static final String UNFINISHED = Arrays.stream(RolloutStatus.values())
            .filter(status -> !status.isFinal())
            .map(status -> "'" + status.name() + "'")
            .collect(Collectors.joining(", ", "(", ")"));

    private final InventoryDatabase database;

    RolloutTable(InventoryDatabase database) {
        this.database = database;
    }

    /**
     * Inserts a new rollout with its waves and actions, refusing a server held by a rollout that has not ended: read
     * first for a message naming the holders, and enforced by the database's unique index for writers that race.
     */
    void create(Rollout rollout, List<Wave> waves) {
        database.transaction("create rollout " + rollout.id(), connection -> {
            Map<String, List<String>> held = holders(connection, rollout.servers());
            if (!held.isEmpty()) {
                throw conflict(held);
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollouts (id, product, version,"
                    + " parallelism, force, status, created_at, start_at, finished_at, detail, canary, wave_size,"
                    + " max_errors, on_error, server_order, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                    + " ?, ?, ?, ?)")) {
                setRollout(insert, rollout);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (InventoryDatabase.duplicateKey(e)) {
                    throw new FleetupException(FleetupException.ROLLOUT_CONFLICT, "A rollout with id " + rollout.id()
                            + " exists already; start again for a new id.", e);
                }
                throw e;
            }
            insertWaves(connection, rollout.id(), waves);
            int first = 0;
            for (Wave wave : waves) {
                insertActions(connection, rollout, wave.number(), first, rollout.servers().subList(first,
                        Math.min(rollout.servers().size(), first + wave.size())));
                first += wave.size();
            }
            return null;
        });
    }

    /**
     * Adds a server to a rollout that has not ended: to its last wave while that has not ended and has room, else to a
     * new wave after it. The rollout's row is locked first, so that two servers joining at once count each other.
     */
    boolean join(String rollout, String server, int waveSize, int maxErrors, Instant at) {
        return database.transaction("add " + server + " to rollout " + rollout, connection -> {
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT status FROM rollouts WHERE id = ? FOR UPDATE")) {
                lock.setString(1, rollout);
                try (ResultSet row = lock.executeQuery()) {
                    if (!row.next() || RolloutStatus.valueOf(row.getString(1)).isFinal()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT 1 FROM rollout_actions WHERE rollout = ? AND server = ?")) {
                select.setString(1, rollout);
                select.setString(2, server);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return true;
                    }
                }
            }
            int number = 0;
            int size = 0;
            boolean open = false;
            try (PreparedStatement select = connection.prepareStatement("SELECT w.number, w.status, (SELECT COUNT(*)"
                    + " FROM rollout_actions a WHERE a.rollout = w.rollout AND a.wave = w.number) FROM rollout_waves w"
                    + " WHERE w.rollout = ? ORDER BY w.number DESC")) {
                select.setString(1, rollout);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        number = row.getInt(1);
                        WaveStatus status = WaveStatus.valueOf(row.getString(2));
                        size = row.getInt(3);
                        open = (status == WaveStatus.PENDING || status == WaveStatus.RUNNING)
                                && (waveSize <= 0 || size < waveSize);
                    }
                }
            }
            if (open) {
                try (PreparedStatement grow = connection.prepareStatement(
                        "UPDATE rollout_waves SET size = ? WHERE rollout = ? AND number = ?")) {
                    grow.setInt(1, size + 1);
                    grow.setString(2, rollout);
                    grow.setInt(3, number);
                    grow.executeUpdate();
                }
            } else {
                number++;
                insertWaves(connection, rollout, List.of(new Wave(rollout, number, 1, maxErrors, WaveStatus.PENDING,
                        null, null)));
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollout_actions (id, rollout, wave,"
                    + " position, server, step, updated_at, held_server) VALUES (?, ?, ?, (SELECT COALESCE(MAX(position)"
                    + " + 1, 0) FROM rollout_actions WHERE rollout = ?), ?, ?, ?, ?)")) {
                insert.setObject(1, UUID.randomUUID());
                insert.setString(2, rollout);
                insert.setInt(3, number);
                insert.setString(4, rollout);
                insert.setString(5, server);
                insert.setString(6, StepState.PENDING.name());
                InventoryDatabase.setInstant(insert, 7, at);
                insert.setString(8, server);
                insert.executeUpdate();
            } catch (SQLException e) {
                if (InventoryDatabase.duplicateKey(e)) {
                    throw new FleetupException(FleetupException.ROLLOUT_CONFLICT, server + " is in another rollout"
                            + " that has not ended; it joins rollout " + rollout + " once that one ended.", e);
                }
                throw e;
            }
            return true;
        });
    }

    /** The servers of {@code wanted} that rollouts which have not ended hold, by holder ("id (STATUS)"). */
    private static Map<String, List<String>> holders(Connection connection, List<String> wanted) throws SQLException {
        Set<String> servers = new HashSet<>(wanted);
        Map<String, List<String>> held = new LinkedHashMap<>();
        try (PreparedStatement select = connection.prepareStatement("SELECT r.id, r.status, a.server FROM"
                + " rollout_actions a JOIN rollouts r ON r.id = a.rollout WHERE r.status IN " + UNFINISHED
                + " ORDER BY r.created_at, r.id, a.position");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                if (servers.contains(row.getString(3))) {
                    held.computeIfAbsent(row.getString(1) + " (" + row.getString(2) + ")", k -> new ArrayList<>())
                            .add(row.getString(3));
                }
            }
        }
        return held;
    }

    private static FleetupException conflict(Map<String, List<String>> held) {
        String holders = held.entrySet().stream()
                .map(entry -> String.join(", ", entry.getValue()) + (entry.getValue().size() == 1 ? " is" : " are")
                        + " in rollout " + entry.getKey())
                .collect(Collectors.joining("; "));
        boolean one = held.size() == 1;
        String id = one ? held.keySet().iterator().next().split(" ")[0] : "ID";
        return new FleetupException(FleetupException.ROLLOUT_CONFLICT, holders + ", and a server is in one rollout at"
                + " a time. Wait for " + (one ? "that rollout" : "those rollouts") + " to end ('fleet:rollout-status "
                + id + "'), or cancel " + (one ? "it" : "them") + " ('fleet:rollout-cancel " + id + "'), then start"
                + " again; or leave those servers out.");
    }

    /** Inserts or updates the rollout, and gives its servers their positions; a new server starts as pending. */
    void save(Rollout rollout) {
        database.transaction("save rollout " + rollout.id(), connection -> {
            try (PreparedStatement merge = connection.prepareStatement(database.dialect().sql(MERGE_ROLLOUT))) {
                setRollout(merge, rollout);
                merge.executeUpdate();
            }
            if (waveCount(connection, rollout.id()) == 0) {
                // Saved without waves (by an older caller): one wave of them all, with no threshold.
                int size = rollout.servers().size();
                insertWaves(connection, rollout.id(), List.of(new Wave(rollout.id(), 1, size, size + 1,
                        WaveStatus.PENDING, null, null)));
            }
            removeServersLeftOut(connection, rollout);
            placeServers(connection, rollout);
            release(connection, rollout);
            return null;
        });
    }

    /** A rollout that has ended holds no server any more. */
    static void release(Connection connection, Rollout rollout) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE rollout_actions SET held_server = CASE WHEN ? THEN NULL ELSE held_server END"
                        + " WHERE rollout = ?")) {
            update.setBoolean(1, rollout.status().isFinal());
            update.setString(2, rollout.id());
            update.executeUpdate();
        }
    }

    Optional<Rollout> find(String id) {
        return database.run("read rollout " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE id = ?")) {
                select.setString(1, id);
                return rollouts(select, serverNames(connection, id)).stream().findFirst();
            }
        });
    }

    Optional<RolloutStatus> status(String id) {
        return database.run("read the status of rollout " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT status FROM rollouts WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(RolloutStatus.valueOf(row.getString(1))) : Optional.empty();
                }
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

    /** The rollout's row alone, without its servers. */
    Optional<Rollout> summary(String id) {
        return database.run("read rollout " + id, connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE id = ?")) {
                select.setString(1, id);
                return rollouts(select, Map.of()).stream().findFirst();
            }
        });
    }

    /** As {@link #unfinished()}, without the servers. */
    List<Rollout> unfinishedSummaries() {
        return database.run("list the rollouts that have not ended", connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE status IN "
                    + UNFINISHED + " ORDER BY created_at NULLS FIRST, id")) {
                return rollouts(select, Map.of());
            }
        });
    }

    List<WaveProgress> progress(String rollout) {
        return database.run("count the actions of rollout " + rollout + " by wave", connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT wave, COUNT(*),"
                    + " SUM(CASE WHEN step IN " + ActionTable.FINAL + " THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN step IN ('FAILED', 'ROLLED_BACK') THEN 1 ELSE 0 END),"
                    + " SUM(CASE WHEN step NOT IN " + ActionTable.FINAL + " AND server LIKE 'pull:%' THEN 1 ELSE 0"
                    + " END) FROM rollout_actions WHERE rollout = ? GROUP BY wave ORDER BY wave")) {
                select.setString(1, rollout);
                List<WaveProgress> waves = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        waves.add(new WaveProgress(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4),
                                row.getInt(5)));
                    }
                }
                return waves;
            }
        });
    }

    /** Only the rows whose status is one of those that have not ended are read: an unknown status is never parsed. */
    List<Rollout> unfinished() {
        return database.run("list the rollouts that have not ended", connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ROLLOUT + " WHERE status IN "
                    + UNFINISHED + " ORDER BY created_at NULLS FIRST, id")) {
                return rollouts(select, serverNamesWhere(connection, "rollout IN (SELECT id FROM rollouts WHERE"
                        + " status IN " + UNFINISHED + ")"));
            }
        });
    }

    /**
     * Records where one server of a rollout stands, unfenced. A server the rollout did not list is added after the
     * others, in its last wave.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND} when the rollout was never saved
     */
    void saveServer(RolloutServer server) {
        database.transaction("save the state of " + server.server() + " in rollout " + server.rollout(),
                connection -> {
                    try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_actions SET step = ?,"
                            + " from_version = ?, to_version = ?, detail = ?, updated_at = ? WHERE rollout = ?"
                            + " AND server = ?")) {
                        update.setString(1, server.state().name());
                        update.setString(2, server.from());
                        update.setString(3, server.to());
                        update.setString(4, server.detail());
                        InventoryDatabase.setInstant(update, 5, server.updatedAt());
                        update.setString(6, server.rollout());
                        update.setString(7, server.server());
                        if (update.executeUpdate() == 0) {
                            insertAction(connection, server);
                        }
                    }
                    return null;
                });
    }

    private static void insertAction(Connection connection, RolloutServer server) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollout_actions (id, rollout, wave,"
                + " position, server, step, from_version, to_version, detail, updated_at) VALUES (?, ?,"
                + " (SELECT COALESCE(MAX(number), 1) FROM rollout_waves WHERE rollout = ?),"
                + " (SELECT COALESCE(MAX(position) + 1, 0) FROM rollout_actions WHERE rollout = ?),"
                + " ?, ?, ?, ?, ?, ?)")) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, server.rollout());
            insert.setString(3, server.rollout());
            insert.setString(4, server.rollout());
            insert.setString(5, server.server());
            insert.setString(6, server.state().name());
            insert.setString(7, server.from());
            insert.setString(8, server.to());
            insert.setString(9, server.detail());
            InventoryDatabase.setInstant(insert, 10, server.updatedAt());
            insert.executeUpdate();
        } catch (SQLException e) {
            if (InventoryDatabase.missingParent(e)) {
                throw notFound(server.rollout());
            }
            throw e;
        }
    }

    /** Ordered as the rollout's servers are; empty for an unknown rollout. */
    List<RolloutServer> servers(String rollout) {
        return database.run("read the servers of rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT rollout, server, step, from_version, to_version, detail, updated_at, wave"
                            + " FROM rollout_actions WHERE rollout = ?" + IN_ORDER)) {
                select.setString(1, rollout);
                List<RolloutServer> servers = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        servers.add(new RolloutServer(row.getString("rollout"), row.getString("server"),
                                StepState.valueOf(row.getString("step")), row.getString("from_version"),
                                row.getString("to_version"), row.getString("detail"),
                                InventoryDatabase.getInstant(row, "updated_at"), row.getInt("wave")));
                    }
                }
                return servers;
            }
        });
    }

    List<Wave> waves(String rollout) {
        return database.run("read the waves of rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT number, size, max_errors, status,"
                    + " started_at, ended_at FROM rollout_waves WHERE rollout = ? ORDER BY number")) {
                select.setString(1, rollout);
                List<Wave> waves = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        waves.add(new Wave(rollout, row.getInt(1), row.getInt(2), row.getInt(3),
                                WaveStatus.valueOf(row.getString(4)), InventoryDatabase.getInstant(row, "started_at"),
                                InventoryDatabase.getInstant(row, "ended_at")));
                    }
                }
                return waves;
            }
        });
    }

    /** @param by the election the move is decided under; {@code null} for an operator's, unfenced */
    boolean moveWave(Wave wave, WaveStatus from, Election by) {
        return database.transaction("move wave " + wave.number() + " of rollout " + wave.rollout() + " to "
                + wave.status(), connection -> {
                    if (by != null && !ControllerTable.holds(connection, by)) {
                        return false;
                    }
                    try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_waves SET status = ?,"
                            + " started_at = ?, ended_at = ? WHERE rollout = ? AND number = ? AND status = ?")) {
                        update.setString(1, wave.status().name());
                        InventoryDatabase.setInstant(update, 2, wave.startedAt());
                        InventoryDatabase.setInstant(update, 3, wave.endedAt());
                        update.setString(4, wave.rollout());
                        update.setInt(5, wave.number());
                        update.setString(6, from.name());
                        return update.executeUpdate() == 1;
                    }
                });
    }

    /** @param by the election the move is decided under; {@code null} for an operator's, unfenced */
    boolean moveRollout(Rollout rollout, RolloutStatus from, Election by) {
        return database.transaction("move rollout " + rollout.id() + " to " + rollout.status(), connection -> {
            if (by != null && !ControllerTable.holds(connection, by)) {
                return false;
            }
            return moveRollout(connection, rollout, from);
        });
    }

    /**
     * Both moves or neither: a wave halted in a rollout still running would let the next decider open the next wave.
     */
    boolean haltWave(Wave halted, Rollout rollout, Election by) {
        return database.transaction("halt wave " + halted.number() + " of rollout " + rollout.id(), connection -> {
            if (!ControllerTable.holds(connection, by)) {
                return false;
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_waves SET status = ?,"
                    + " ended_at = ? WHERE rollout = ? AND number = ? AND status = ?")) {
                update.setString(1, WaveStatus.HALTED.name());
                InventoryDatabase.setInstant(update, 2, halted.endedAt());
                update.setString(3, halted.rollout());
                update.setInt(4, halted.number());
                update.setString(5, WaveStatus.RUNNING.name());
                if (update.executeUpdate() == 0) {
                    return false;
                }
            }
            if (!moveRollout(connection, rollout, RolloutStatus.RUNNING)) {
                connection.rollback();
                return false;
            }
            return true;
        });
    }

    private static boolean moveRollout(Connection connection, Rollout rollout, RolloutStatus from)
            throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE rollouts SET status = ?,"
                + " finished_at = ?, detail = ? WHERE id = ? AND status = ?")) {
            update.setString(1, rollout.status().name());
            InventoryDatabase.setInstant(update, 2, rollout.finishedAt());
            update.setString(3, rollout.detail());
            update.setString(4, rollout.id());
            update.setString(5, from.name());
            if (update.executeUpdate() == 0) {
                return false;
            }
        }
        release(connection, rollout);
        return true;
    }

    private static int waveCount(Connection connection, String rollout) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT COUNT(*) FROM rollout_waves WHERE rollout = ?")) {
            select.setString(1, rollout);
            try (ResultSet row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        }
    }

    private static void insertWaves(Connection connection, String rollout, List<Wave> waves) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollout_waves (rollout, number,"
                + " size, max_errors, status, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Wave wave : waves) {
                insert.setString(1, rollout);
                insert.setInt(2, wave.number());
                insert.setInt(3, wave.size());
                insert.setInt(4, wave.maxErrors());
                insert.setString(5, wave.status().name());
                InventoryDatabase.setInstant(insert, 6, wave.startedAt());
                InventoryDatabase.setInstant(insert, 7, wave.endedAt());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static void insertActions(Connection connection, Rollout rollout, int wave, int first,
                                      List<String> servers) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO rollout_actions (id, rollout, wave,"
                + " position, server, step, updated_at, held_server) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < servers.size(); i++) {
                insert.setObject(1, UUID.randomUUID());
                insert.setString(2, rollout.id());
                insert.setInt(3, wave);
                insert.setInt(4, first + i);
                insert.setString(5, servers.get(i));
                insert.setString(6, StepState.PENDING.name());
                InventoryDatabase.setInstant(insert, 7, rollout.createdAt());
                insert.setString(8, rollout.status().isFinal() ? null : servers.get(i));
                insert.executeUpdate();
            }
        } catch (SQLException e) {
            if (InventoryDatabase.duplicateKey(e)) {
                // The index on held_server: another controller took a server between the check and the insert.
                throw new FleetupException(FleetupException.ROLLOUT_CONFLICT, "Another rollout took one of the"
                        + " servers of " + rollout.id() + " at the same moment. 'fleet:rollout-list' shows it; start"
                        + " again without those servers.", e);
            }
            throw e;
        }
    }

    private static void setRollout(PreparedStatement statement, Rollout rollout) throws SQLException {
        RolloutOptions options = rollout.options();
        statement.setString(1, rollout.id());
        statement.setString(2, rollout.product());
        statement.setString(3, rollout.version());
        statement.setInt(4, rollout.parallelism());
        statement.setBoolean(5, rollout.force());
        statement.setString(6, rollout.status().name());
        InventoryDatabase.setInstant(statement, 7, rollout.createdAt());
        InventoryDatabase.setInstant(statement, 8, rollout.startAt());
        InventoryDatabase.setInstant(statement, 9, rollout.finishedAt());
        statement.setString(10, rollout.detail());
        statement.setString(11, options.canary().toString());
        statement.setString(12, options.wave().toString());
        statement.setString(13, options.maxErrors().toString());
        statement.setString(14, options.onError().name());
        statement.setString(15, options.order().name());
        statement.setString(16, rollout.createdBy());
    }

    private static FleetupException notFound(String rollout) {
        return new FleetupException(FleetupException.ROLLOUT_NOT_FOUND, "Unknown rollout '" + rollout
                + "'; save the rollout before the state of its servers. 'fleet:rollout-status' lists the rollouts.");
    }

    private static void removeServersLeftOut(Connection connection, Rollout rollout) throws SQLException {
        Set<String> kept = new HashSet<>(rollout.servers());
        List<String> leftOut = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT server FROM rollout_actions WHERE rollout = ?")) {
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
                "DELETE FROM rollout_actions WHERE rollout = ? AND server = ?")) {
            for (String server : leftOut) {
                delete.setString(1, rollout.id());
                delete.setString(2, server);
                delete.addBatch();
            }
            delete.executeBatch();
        }
    }

    private static void placeServers(Connection connection, Rollout rollout) throws SQLException {
        Set<String> placed = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT server FROM rollout_actions WHERE rollout = ?")) {
            select.setString(1, rollout.id());
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    placed.add(row.getString(1));
                }
            }
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE rollout_actions SET position = ? WHERE rollout = ? AND server = ?")) {
            for (int position = 0; position < rollout.servers().size(); position++) {
                String server = rollout.servers().get(position);
                if (placed.contains(server)) {
                    update.setInt(1, position);
                    update.setString(2, rollout.id());
                    update.setString(3, server);
                    update.addBatch();
                }
            }
            update.executeBatch();
        }
        for (int position = 0; position < rollout.servers().size(); position++) {
            String server = rollout.servers().get(position);
            if (!placed.contains(server)) {
                insertActions(connection, rollout, 1, position, List.of(server));
            }
        }
    }

    /** Reads the rollouts {@code select} finds, giving each its servers from {@code servers}. */
    private static List<Rollout> rollouts(PreparedStatement select, Map<String, List<String>> servers)
            throws SQLException {
        List<Rollout> rollouts = new ArrayList<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                String id = row.getString("id");
                int parallelism = row.getInt("parallelism");
                boolean force = row.getBoolean("force");
                rollouts.add(new Rollout(id, row.getString("product"), row.getString("version"),
                        servers.getOrDefault(id, List.of()), parallelism, force,
                        RolloutStatus.valueOf(row.getString("status")), InventoryDatabase.getInstant(row, "created_at"),
                        InventoryDatabase.getInstant(row, "start_at"), InventoryDatabase.getInstant(row, "finished_at"),
                        row.getString("detail"), options(row, parallelism, force), row.getString("created_by")));
            }
        }
        return rollouts;
    }

    /** The options as saved; the defaults for a rollout saved before rollouts had options (or with a broken one). */
    private static RolloutOptions options(ResultSet row, int parallelism, boolean force) throws SQLException {
        if (row.getString("canary") == null || parallelism < 1) {
            return parallelism < 1 ? null : RolloutOptions.defaults(parallelism, force);
        }
        return new RolloutOptions(Size.parse("canary", row.getString("canary")),
                Size.parse("wave", row.getString("wave_size")), Size.parse("max-errors", row.getString("max_errors")),
                OnError.valueOf(row.getString("on_error")), ServerOrder.valueOf(row.getString("server_order")),
                parallelism, force);
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
                "SELECT rollout, server FROM rollout_actions WHERE " + where + IN_ORDER)) {
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
