package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.upgrade.StepState;

/**
 * The actions of rollouts as the engine works them: claimed with a lease and a fence, written only under the fence
 * that claimed them, each step appended to the history in the same transaction.
 */
final class ActionTable {

    private static final String SELECT_ACTION = "SELECT id, rollout, wave, position, server, step, from_version,"
            + " to_version, detail, attempt, lease_owner, lease_until, fence, journal, updated_at, not_before"
            + " FROM rollout_actions";
    /** Steps that end an action, as SQL. */
    static final String FINAL = "('DONE', 'SKIPPED', 'FAILED', 'ROLLED_BACK')";
    /** What makes an action claimable at a time given twice: not ended, its lease free or expired, not deferred. */
    private static final String DUE = "step NOT IN " + FINAL + " AND (lease_owner IS NULL OR lease_until IS NULL"
            + " OR lease_until < ?) AND (not_before IS NULL OR not_before <= ?)";
    /** One claim: the lease (owner, expiry) and a raised fence, if the action is due; see {@link #setClaim}. */
    private static final String CLAIM = "UPDATE rollout_actions SET lease_owner = ?, lease_until = ?,"
            + " fence = fence + 1, attempt = attempt + 1, not_before = NULL WHERE id = ? AND " + DUE;

    /** How many transfers or round trips wait for a write at most: a plan of many servers writes them in batches. */
    static final int MEASURED_AT_MOST = 64;

    private final InventoryDatabase database;
    private final Map<String, Measured> measuredTransfers = new ConcurrentHashMap<>();
    private final Map<String, Measured> measuredRoundTrips = new ConcurrentHashMap<>();

    ActionTable(InventoryDatabase database) {
        this.database = database;
    }

    List<RolloutAction> actions(String rollout) {
        return database.run("read the actions of rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ACTION
                    + " WHERE rollout = ? ORDER BY position, server")) {
                select.setString(1, rollout);
                List<RolloutAction> actions = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        actions.add(action(row));
                    }
                }
                return actions;
            }
        });
    }

    Optional<RolloutAction> action(String rollout, String server) {
        return database.run("read the action of " + server + " in rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_ACTION
                    + " WHERE rollout = ? AND server = ?")) {
                select.setString(1, rollout);
                select.setString(2, server);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(action(row)) : Optional.empty();
                }
            }
        });
    }

    Optional<RolloutAction> claim(String action, String owner, Instant now, Instant until) {
        return database.run("claim action " + action, connection -> {
            try (PreparedStatement update = connection.prepareStatement(CLAIM)) {
                setClaim(update, action, owner, now, until);
                if (update.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            try (PreparedStatement select = connection.prepareStatement(SELECT_ACTION + " WHERE id = ?")) {
                select.setObject(1, UUID.fromString(action));
                try (ResultSet row = select.executeQuery()) {
                    // Read back after the update: another claim may follow, but then this fence is already stale.
                    return row.next() ? Optional.of(action(row)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Claims up to {@code limit} due actions of a rollout in one transaction: found in the rollout's order and locked
     * by one {@code SELECT ... FOR UPDATE}, passing over the rows another controller is claiming at that moment (in
     * PostgreSQL), then each given this owner, its expiry and a raised fence. The update keeps the select's conditions,
     * so that on H2, which waits for a locked row rather than skip it, a row claimed meanwhile is not claimed again.
     */
    List<RolloutAction> claimDue(String rollout, int wave, boolean begunOnly, int parallelism, int limit,
                                 Set<String> passOver, String owner, Instant now, Instant until) {
        if (limit <= 0) {
            return List.of();
        }
        return database.transaction("claim the due actions of rollout " + rollout, connection -> {
            int room = limit;
            try (PreparedStatement count = connection.prepareStatement("SELECT COUNT(*) FROM rollout_actions"
                    + " WHERE rollout = ? AND (? = 0 OR wave = ?) AND step NOT IN " + FINAL
                    + " AND lease_owner IS NOT NULL AND lease_until >= ?")) {
                count.setString(1, rollout);
                count.setInt(2, wave);
                count.setInt(3, wave);
                InventoryDatabase.setInstant(count, 4, now);
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    room = (int) Math.min(room, (long) parallelism - row.getLong(1));
                }
            }
            if (room <= 0) {
                return List.of();
            }
            List<String> due = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT id FROM rollout_actions"
                    + " WHERE rollout = ? AND (? = 0 OR wave = ?) AND " + DUE + " AND (? = FALSE OR step <> 'PENDING')"
                    + " AND server NOT LIKE 'pull:%' ORDER BY position, server FETCH FIRST ? ROWS ONLY FOR UPDATE"
                    + database.dialect().skipLocked())) {
                select.setString(1, rollout);
                select.setInt(2, wave);
                select.setInt(3, wave);
                InventoryDatabase.setInstant(select, 4, now);
                InventoryDatabase.setInstant(select, 5, now);
                select.setBoolean(6, begunOnly);
                select.setInt(7, room + passOver.size());
                try (ResultSet row = select.executeQuery()) {
                    while (row.next() && due.size() < room) {
                        String id = row.getString(1);
                        if (!passOver.contains(id)) {
                            due.add(id);
                        }
                    }
                }
            }
            List<String> claimed = new ArrayList<>();
            try (PreparedStatement update = connection.prepareStatement(CLAIM)) {
                for (String id : due) {
                    setClaim(update, id, owner, now, until);
                    update.addBatch();
                }
                int[] counts = due.isEmpty() ? new int[0] : update.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] != 0) {
                        claimed.add(due.get(i));
                    }
                }
            }
            return read(connection, claimed);
        });
    }

    /** The actions of {@code ids}, in the rollout's order. */
    private static List<RolloutAction> read(Connection connection, List<String> ids) throws SQLException {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<RolloutAction> actions = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(SELECT_ACTION + " WHERE id IN ("
                + String.join(", ", Collections.nCopies(ids.size(), "?")) + ") ORDER BY position, server")) {
            for (int i = 0; i < ids.size(); i++) {
                select.setObject(i + 1, UUID.fromString(ids.get(i)));
            }
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    actions.add(action(row));
                }
            }
        }
        return actions;
    }

    private static void setClaim(PreparedStatement update, String action, String owner, Instant now, Instant until)
            throws SQLException {
        update.setString(1, owner);
        InventoryDatabase.setInstant(update, 2, until);
        update.setObject(3, UUID.fromString(action));
        InventoryDatabase.setInstant(update, 4, now);
        InventoryDatabase.setInstant(update, 5, now);
    }

    void record(String action, long fence, ActionUpdate update) {
        record(action, fence, List.of(update));
    }

    /**
     * The updates in order, in one transaction: one commit, the journal read once, every history row in one batch
     * and the action's row written once, with what the last update leaves (the versions the latest update that names
     * one, the journal with every change applied in order): the same row as writing each in turn, at a statement
     * instead of one each. The transfers and round trips measured since the last write go in the same commit.
     */
    void record(String action, long fence, List<ActionUpdate> updates) {
        boolean changes = updates.stream()
                .anyMatch(update -> update.journalChanges() != null && !update.journalChanges().isEmpty());
        writeSteps(action, fence, null, updates, connection -> {
            if (!changes) {
                return null;
            }
            Map<String, String> journal = lockedJournal(connection, action, fence);
            updates.forEach(update -> update.applyTo(journal));
            return journal;
        });
    }

    /**
     * As {@link #record(String, long, List)}, by the lease's {@code holder}, which keeps the whole {@code journal}:
     * written as it is, the stored one not read first, and the history rows naming {@code holder} without a look-up.
     */
    void record(String action, long fence, String holder, List<ActionUpdate> updates, Map<String, String> journal) {
        writeSteps(action, fence, holder, updates, connection -> journal);
    }

    /**
     * Writes {@code updates} in one transaction with the journal {@code journal} gives ({@code null}: left as
     * stored), the history rows naming {@code holder} (or, when {@code null}, whoever holds the lease), and the
     * measurements kept since the last write.
     */
    private void writeSteps(String action, long fence, String holder, List<ActionUpdate> updates,
                            InventoryDatabase.Work<Map<String, String>> journal) {
        if (updates.isEmpty()) {
            return;
        }
        String what = updates.size() == 1 ? "record step " + updates.get(0).step() + " of action " + action
                : "record " + updates.size() + " steps of action " + action;
        transactionWithMeasured(what, connection -> {
            Map<String, String> after = journal.apply(connection);
            String from = null;
            String to = null;
            List<ActionUpdate> steps = new ArrayList<>(updates.size());
            for (ActionUpdate update : updates) {
                from = update.from() != null ? update.from() : from;
                to = update.to() != null ? update.to() : to;
                if (update.history()) {
                    steps.add(update);
                }
            }
            // The history rows first, naming the lease's holder before a final step lets the lease go; if the fence
            // no longer holds, the write below fails and takes the rows back with it.
            appendHistory(connection, action, holder, steps);
            ActionUpdate last = updates.get(updates.size() - 1);
            write(connection, action, fence, new ActionUpdate(last.step(), from, to, last.detail(), null,
                    last.leaseUntil(), false, last.at()), after != null ? stored(after) : null);
            return null;
        });
    }

    /**
     * Runs {@code work} in one transaction with the transfers and round trips measured since the last write; when it
     * fails they are kept for the next, unless a newer measurement came meanwhile.
     */
    private void transactionWithMeasured(String what, InventoryDatabase.Work<Void> work) {
        Map<String, Measured> transfers = drain(measuredTransfers);
        Map<String, Measured> trips = drain(measuredRoundTrips);
        try {
            database.transaction(what, connection -> {
                work.apply(connection);
                mergeTransfers(connection, transfers);
                mergeRoundTrips(connection, trips);
                return null;
            });
        } catch (RuntimeException e) {
            transfers.forEach(measuredTransfers::putIfAbsent);
            trips.forEach(measuredRoundTrips::putIfAbsent);
            throw e;
        }
    }

    /** The journal's text as stored: empty, not {@code null} (which leaves the stored journal as it is), when empty. */
    private static String stored(Map<String, String> journal) {
        return journal.isEmpty() ? "" : format(journal);
    }

    private static Map<String, String> lockedJournal(Connection connection, String action, long fence)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT journal FROM rollout_actions WHERE id = ? AND fence = ? FOR UPDATE")) {
            select.setObject(1, UUID.fromString(action));
            select.setLong(2, fence);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    throw leaseLost(action, fence);
                }
                return parse(row.getString(1));
            }
        }
    }

    /** One step, with the whole journal when it changed ({@code null}: the journal stays as it is). */
    private static void write(Connection connection, String action, long fence, ActionUpdate update, String journal)
            throws SQLException {
        try (PreparedStatement write = connection.prepareStatement("UPDATE rollout_actions SET step = ?,"
                + " from_version = COALESCE(?, from_version), to_version = COALESCE(?, to_version), detail = ?,"
                + " journal = COALESCE(?, journal), updated_at = ?, lease_until = ?,"
                + " lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END WHERE id = ? AND fence = ?")) {
            write.setString(1, update.step().name());
            write.setString(2, update.from());
            write.setString(3, update.to());
            write.setString(4, update.detail());
            write.setString(5, journal);
            InventoryDatabase.setInstant(write, 6, update.at());
            InventoryDatabase.setInstant(write, 7, update.leaseUntil());
            write.setBoolean(8, update.leaseUntil() == null);
            write.setObject(9, UUID.fromString(action));
            write.setLong(10, fence);
            if (write.executeUpdate() == 0) {
                throw leaseLost(action, fence);
            }
        }
    }

    void defer(String action, long fence, Instant notBefore, String detail, Instant at) {
        database.transaction("defer action " + action + " until " + notBefore, connection -> {
            StepState step;
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT step FROM rollout_actions WHERE id = ? AND fence = ? AND lease_owner IS NOT NULL"
                            + " AND step NOT IN " + FINAL + " FOR UPDATE")) {
                select.setObject(1, UUID.fromString(action));
                select.setLong(2, fence);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next()) {
                        throw leaseLost(action, fence);
                    }
                    // Nothing was done on a server that never started: it stays countable as not started.
                    step = StepState.valueOf(row.getString(1)) == StepState.PENDING
                            ? StepState.PENDING : StepState.WAITING;
                }
            }
            appendHistory(connection, action, step, detail, at, true);
            try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_actions SET step = ?,"
                    + " detail = ?, updated_at = ?, not_before = ?, lease_owner = NULL, lease_until = NULL"
                    + " WHERE id = ? AND fence = ?")) {
                update.setString(1, step.name());
                update.setString(2, detail);
                InventoryDatabase.setInstant(update, 3, at);
                InventoryDatabase.setInstant(update, 4, notBefore);
                update.setObject(5, UUID.fromString(action));
                update.setLong(6, fence);
                update.executeUpdate();
            }
            return null;
        });
    }

    void renew(String action, long fence, Instant until) {
        database.run("renew the lease of action " + action, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE rollout_actions SET lease_until = ? WHERE id = ? AND fence = ? AND lease_owner IS NOT NULL")) {
                InventoryDatabase.setInstant(update, 1, until);
                update.setObject(2, UUID.fromString(action));
                update.setLong(3, fence);
                if (update.executeUpdate() == 0) {
                    throw leaseLost(action, fence);
                }
                return null;
            }
        });
    }

    int expireLeases(String ownerPrefix, String current, Instant now) {
        return database.run("take back the leases of " + ownerPrefix, connection -> {
            // An incarnation whose heartbeat holds is alive: another controller given the same name, not an earlier
            // life of this one. It keeps its leases.
            try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_actions SET lease_until = NULL,"
                    + " lease_owner = NULL WHERE lease_owner LIKE ? ESCAPE '\\' AND lease_owner <> ?"
                    + " AND NOT EXISTS (SELECT 1 FROM controllers c WHERE c.id = rollout_actions.lease_owner"
                    + " AND c.alive_until >= ?)")) {
                update.setString(1, ownerPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                update.setString(2, current);
                InventoryDatabase.setInstant(update, 3, now);
                return update.executeUpdate();
            }
        });
    }

    /** @param by the election the end is decided under; {@code null} for an operator's, unfenced */
    int endNotStarted(String rollout, int wave, StepState step, String detail, Instant at, Election by) {
        return database.transaction("end the servers of rollout " + rollout + " that did not start", connection -> {
            if (by != null && !ControllerTable.holds(connection, by)) {
                return 0;
            }
            List<String> ids = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement("SELECT id FROM rollout_actions WHERE"
                    + " rollout = ? AND (? = 0 OR wave = ?) AND step = 'PENDING' AND (lease_owner IS NULL"
                    + " OR lease_until IS NULL OR lease_until < ?) FOR UPDATE" + database.dialect().skipLocked())) {
                select.setString(1, rollout);
                select.setInt(2, wave);
                select.setInt(3, wave);
                InventoryDatabase.setInstant(select, 4, at);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        ids.add(row.getString(1));
                    }
                }
            }
            try (PreparedStatement update = connection.prepareStatement("UPDATE rollout_actions SET step = ?,"
                    + " detail = ?, updated_at = ?, fence = fence + 1, lease_owner = NULL, lease_until = NULL"
                    + " WHERE id = ?")) {
                for (String id : ids) {
                    update.setString(1, step.name());
                    update.setString(2, detail);
                    InventoryDatabase.setInstant(update, 3, at);
                    update.setObject(4, UUID.fromString(id));
                    update.executeUpdate();
                    appendHistory(connection, id, step, detail, at, false);
                }
            }
            return ids.size();
        });
    }

    List<StepRecord> history(String rollout, String server) {
        return database.run("read the history of " + server + " in rollout " + rollout, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT s.at, s.step, s.detail FROM"
                    + " action_steps s JOIN rollout_actions a ON a.id = s.action WHERE a.rollout = ? AND a.server = ?"
                    + " ORDER BY s.seq")) {
                select.setString(1, rollout);
                select.setString(2, server);
                List<StepRecord> records = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        records.add(new StepRecord(rollout, server, StepState.valueOf(row.getString("step")),
                                row.getString("detail"), InventoryDatabase.getInstant(row, "at")));
                    }
                }
                return records;
            }
        });
    }

    /**
     * Keeps how fast a transfer went, for the next write of any action (or a read of the rates, or
     * {@link #MEASURED_AT_MOST} of them) to commit: a rate orders servers and nothing else waits for it, so it costs
     * a commit of its own only when nothing else is written; a controller killed meanwhile loses the rates measured
     * since, and orders those servers by their earlier ones.
     */
    void recordTransfer(String server, long bytes, Duration took) {
        measuredTransfers.put(server, new Measured(bytes, Math.max(1, took.toNanos()), Instant.now()));
        if (measuredTransfers.size() >= MEASURED_AT_MOST) {
            writeMeasured();
        }
    }

    Map<String, Double> transferRates() {
        writeMeasured();
        return database.run("read the transfer rates", connection -> {
            Map<String, Double> rates = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT server, bytes, took_nanos FROM server_links");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rates.put(row.getString(1), row.getLong(2) * 1e9 / row.getLong(3));
                }
            }
            return rates;
        });
    }

    /** Keeps a round trip measured on a server's connection, committed as {@link #recordTransfer} is. */
    void recordRoundTrip(String server, Duration roundTrip) {
        measuredRoundTrips.put(server, new Measured(0, Math.max(1, roundTrip.toNanos()), Instant.now()));
        if (measuredRoundTrips.size() >= MEASURED_AT_MOST) {
            writeMeasured();
        }
    }

    Map<String, Duration> roundTrips() {
        writeMeasured();
        return database.run("read the round trips", connection -> {
            Map<String, Duration> trips = new HashMap<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT server, round_trip_nanos FROM server_round_trips");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    trips.put(row.getString(1), Duration.ofNanos(row.getLong(2)));
                }
            }
            return trips;
        });
    }

    /** Commits the transfers and round trips measured and not written yet, in one transaction. */
    void writeMeasured() {
        if (!measuredTransfers.isEmpty() || !measuredRoundTrips.isEmpty()) {
            transactionWithMeasured("record the transfer rates and round trips measured", connection -> null);
        }
    }

    /** What {@code measured} holds, taken out of it: a measurement put meanwhile stays for the next write. */
    private static Map<String, Measured> drain(Map<String, Measured> measured) {
        Map<String, Measured> taken = new HashMap<>();
        for (String server : List.copyOf(measured.keySet())) {
            Measured one = measured.remove(server);
            if (one != null) {
                taken.put(server, one);
            }
        }
        return taken;
    }

    private void mergeTransfers(Connection connection, Map<String, Measured> transfers) throws SQLException {
        mergeEach(connection, "MERGE INTO server_links target USING (VALUES (CAST(? AS VARCHAR), CAST(? AS BIGINT),"
                + " CAST(? AS BIGINT), CAST(? AS TIMESTAMP(9) WITH TIME ZONE)))"
                + " AS source (server, bytes, took_nanos, measured_at) ON target.server = source.server"
                + " WHEN MATCHED THEN UPDATE SET bytes = source.bytes, took_nanos = source.took_nanos,"
                + " measured_at = source.measured_at"
                + " WHEN NOT MATCHED THEN INSERT (server, bytes, took_nanos, measured_at)"
                + " VALUES (source.server, source.bytes, source.took_nanos, source.measured_at)", transfers,
                (merge, transfer) -> {
                    merge.setLong(2, transfer.bytes());
                    merge.setLong(3, transfer.nanos());
                    InventoryDatabase.setInstant(merge, 4, transfer.at());
                });
    }

    private void mergeRoundTrips(Connection connection, Map<String, Measured> trips) throws SQLException {
        mergeEach(connection, "MERGE INTO server_round_trips target USING (VALUES (CAST(? AS VARCHAR),"
                + " CAST(? AS BIGINT), CAST(? AS TIMESTAMP(9) WITH TIME ZONE)))"
                + " AS source (server, round_trip_nanos, measured_at) ON target.server = source.server"
                + " WHEN MATCHED THEN UPDATE SET round_trip_nanos = source.round_trip_nanos,"
                + " measured_at = source.measured_at"
                + " WHEN NOT MATCHED THEN INSERT (server, round_trip_nanos, measured_at)"
                + " VALUES (source.server, source.round_trip_nanos, source.measured_at)", trips,
                (merge, trip) -> {
                    merge.setLong(2, trip.nanos());
                    InventoryDatabase.setInstant(merge, 3, trip.at());
                });
    }

    /** One batch of {@code merge}, its first parameter the server, the others those {@code bind} sets. */
    private void mergeEach(Connection connection, String merge, Map<String, Measured> measured, Bind bind)
            throws SQLException {
        if (measured.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(database.dialect().sql(merge))) {
            for (Map.Entry<String, Measured> one : measured.entrySet()) {
                statement.setString(1, one.getKey());
                bind.bind(statement, one.getValue());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Sets a measurement's parameters of a merge. */
    @FunctionalInterface
    private interface Bind {
        void bind(PreparedStatement merge, Measured measured) throws SQLException;
    }

    /** A transfer ({@code bytes} in {@code nanos}) or a round trip ({@code nanos}), measured {@code at}. */
    private record Measured(long bytes, long nanos, Instant at) {
    }

    /** @param byHolder whether the row names the holder of the action's lease as its writer, or no one */
    private static void appendHistory(Connection connection, String action, StepState step, String detail,
                                      Instant at, boolean byHolder) throws SQLException {
        if (byHolder) {
            appendHistory(connection, action, null,
                    List.of(new ActionUpdate(step, null, null, detail, null, null, true, at)));
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO action_steps (action, at, step, detail) VALUES (?, ?, ?, ?)")) {
            insert.setObject(1, UUID.fromString(action));
            InventoryDatabase.setInstant(insert, 2, at);
            insert.setString(3, step.name());
            insert.setString(4, detail);
            insert.executeUpdate();
        }
    }

    /**
     * The history rows of {@code steps}, in order, each naming {@code holder} as its writer, or when {@code null} the
     * holder of the action's lease as the database has it.
     */
    private static void appendHistory(Connection connection, String action, String holder, List<ActionUpdate> steps)
            throws SQLException {
        if (steps.isEmpty()) {
            return;
        }
        UUID id = UUID.fromString(action);
        try (PreparedStatement insert = connection.prepareStatement(holder != null
                ? "INSERT INTO action_steps (action, at, step, detail, controller) VALUES (?, ?, ?, ?, ?)"
                : "INSERT INTO action_steps (action, at, step, detail, controller) VALUES (?, ?, ?, ?,"
                        + " (SELECT lease_owner FROM rollout_actions WHERE id = ?))")) {
            for (ActionUpdate step : steps) {
                insert.setObject(1, id);
                InventoryDatabase.setInstant(insert, 2, step.at());
                insert.setString(3, step.step().name());
                insert.setString(4, step.detail());
                if (holder != null) {
                    insert.setString(5, holder);
                } else {
                    insert.setObject(5, id);
                }
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    List<ActionStep> stepsAfter(String rollout, long seq) {
        return database.run("read the steps of rollout " + rollout + " after " + seq, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT s.seq, s.controller, a.server, s.at,"
                    + " s.step, s.detail FROM action_steps s JOIN rollout_actions a ON a.id = s.action"
                    + " WHERE a.rollout = ? AND s.seq > ? ORDER BY s.seq")) {
                select.setString(1, rollout);
                select.setLong(2, seq);
                List<ActionStep> steps = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        steps.add(new ActionStep(row.getLong("seq"), row.getString("controller"),
                                new StepRecord(rollout, row.getString("server"), StepState.valueOf(row.getString("step")),
                                        row.getString("detail"), InventoryDatabase.getInstant(row, "at"))));
                    }
                }
                return steps;
            }
        });
    }

    long lastStep() {
        return database.run("read the last step written", connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT MAX(seq) FROM action_steps");
                 ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        });
    }

    private static FleetupException leaseLost(String action, long fence) {
        return new FleetupException(FleetupException.LEASE_LOST, "Action " + action + " was taken over (its fence is"
                + " no longer " + fence + "): this controller stops working on its server; the one holding it now"
                + " goes on.");
    }

    private static RolloutAction action(ResultSet row) throws SQLException {
        return new RolloutAction(row.getString("id"), row.getString("rollout"), row.getInt("wave"),
                row.getInt("position"), row.getString("server"), StepState.valueOf(row.getString("step")),
                row.getString("from_version"), row.getString("to_version"), row.getString("detail"),
                row.getInt("attempt"), row.getString("lease_owner"), InventoryDatabase.getInstant(row, "lease_until"),
                row.getLong("fence"), parse(row.getString("journal")), InventoryDatabase.getInstant(row, "updated_at"),
                InventoryDatabase.getInstant(row, "not_before"));
    }

    /** The journal as a properties text: readable by an operator in the database, and safe for any value. */
    static Map<String, String> parse(String text) {
        Map<String, String> entries = new TreeMap<>();
        if (text == null || text.isEmpty()) {
            return entries;
        }
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        properties.stringPropertyNames().forEach(key -> entries.put(key, properties.getProperty(key)));
        return entries;
    }

    static String format(Map<String, String> entries) {
        if (entries.isEmpty()) {
            return null;
        }
        Properties all = new Properties();
        all.putAll(entries);
        StringWriter text = new StringWriter();
        try {
            all.store(text, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // One line an entry (Properties escapes line breaks), sorted and without the date comment Properties.store
        // writes, so that the same journal reads the same; stored once, not an entry at a time: the date costs a time
        // zone's names each time.
        return text.toString().lines().filter(line -> !line.startsWith("#")).sorted()
                .collect(Collectors.joining("\n", "", "\n"));
    }
}
