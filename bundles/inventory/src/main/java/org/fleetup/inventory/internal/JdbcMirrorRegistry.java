package org.fleetup.inventory.internal;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.pull.PullAgentRecord;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The mirrors, their agents and alarms, and the primaries' request sequences, in the inventory database. */
@Component(service = MirrorRegistry.class)
public final class JdbcMirrorRegistry implements MirrorRegistry {

    private static final String MIRROR_COLUMNS = "name, url, public_key, added_at, last_sync, state, detail, failures,"
            + " missing";
    private static final String ALARM_COLUMNS = "mirror, product, version, scheduled_at, agents_behind, raised_at,"
            + " cleared_at";

    private final InventoryDatabase database;

    @Activate
    public JdbcMirrorRegistry(@Reference InventoryDatabase database) {
        this.database = database;
    }

    @Override
    public void add(Mirror mirror) {
        database.transaction("add mirror " + mirror.name(), connection -> {
            if (!mirrors(connection, " WHERE name = ?", mirror.name()).isEmpty()) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "A mirror named " + mirror.name()
                        + " exists: 'fleet:mirror-list' shows it; choose another name.");
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO mirrors (" + MIRROR_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, mirror.name());
                insert.setString(2, mirror.url().toString());
                insert.setString(3, mirror.publicKey());
                InventoryDatabase.setInstant(insert, 4, mirror.addedAt());
                InventoryDatabase.setInstant(insert, 5, mirror.lastSync());
                insert.setString(6, mirror.state());
                insert.setString(7, mirror.detail());
                insert.setInt(8, mirror.failures());
                insert.setInt(9, mirror.missing());
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<Mirror> mirrors() {
        return database.run("read the mirrors", connection -> mirrors(connection, ""));
    }

    @Override
    public Optional<Mirror> mirror(String name) {
        return database.run("read mirror " + name, connection -> mirrors(connection, " WHERE name = ?", name))
                .stream().findFirst();
    }

    private static List<Mirror> mirrors(Connection connection, String where, String... parameters)
            throws SQLException {
        return InventoryDatabase.select(connection, "SELECT " + MIRROR_COLUMNS + " FROM mirrors" + where
                + " ORDER BY name", JdbcMirrorRegistry::readMirror, parameters);
    }

    private static Mirror readMirror(ResultSet row) throws SQLException {
        return new Mirror(row.getString("name"), URI.create(row.getString("url")), row.getString("public_key"),
                InventoryDatabase.getInstant(row, "added_at"), InventoryDatabase.getInstant(row, "last_sync"),
                row.getString("state"), row.getString("detail"), row.getInt("failures"), row.getInt("missing"));
    }

    @Override
    public void synced(String name, Instant at, int missing, String detail) {
        update("record the sync of mirror " + name, "UPDATE mirrors SET last_sync = ?, state = ?, detail = ?,"
                + " failures = 0, missing = ? WHERE name = ?", statement -> {
                    InventoryDatabase.setInstant(statement, 1, at);
                    statement.setString(2, Mirror.IN_SYNC);
                    statement.setString(3, detail);
                    statement.setInt(4, missing);
                    statement.setString(5, name);
                });
    }

    @Override
    public void failed(String name, int failures, String detail) {
        update("record the failed sync of mirror " + name, "UPDATE mirrors SET state = ?, detail = ?, failures = ?"
                + " WHERE name = ?", statement -> {
                    statement.setString(1, Mirror.DOWN);
                    statement.setString(2, detail);
                    statement.setInt(3, failures);
                    statement.setString(4, name);
                });
    }

    @Override
    public void syncing(String name) {
        // A mirror that is down stays down in the listing until a sync succeeds.
        update("record the sync of mirror " + name, "UPDATE mirrors SET state = ? WHERE name = ? AND state <> ?",
                statement -> {
                    statement.setString(1, Mirror.SYNCING);
                    statement.setString(2, name);
                    statement.setString(3, Mirror.DOWN);
                });
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }

    private void update(String what, String sql, Binder binder) {
        database.run(what, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                binder.bind(statement);
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public void mirrorAgents(String name, List<PullAgentRecord> agents) {
        database.transaction("keep the agents of mirror " + name, connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM mirror_agents WHERE mirror = ?")) {
                delete.setString(1, name);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO mirror_agents (mirror, mac,"
                    + " address, product, version, last_check, next_check, server) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (PullAgentRecord agent : agents) {
                    insert.setString(1, name);
                    insert.setString(2, agent.mac());
                    insert.setString(3, agent.address());
                    insert.setString(4, agent.product());
                    insert.setString(5, agent.version());
                    InventoryDatabase.setInstant(insert, 6, agent.lastCheck());
                    InventoryDatabase.setInstant(insert, 7, agent.nextCheck());
                    insert.setString(8, agent.server());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            return null;
        });
    }

    @Override
    public List<PullAgentRecord> mirrorAgents(String name) {
        return database.run("read the agents of mirror " + name, connection -> InventoryDatabase.select(connection,
                "SELECT mac, address, product, version, last_check, next_check, server FROM mirror_agents"
                        + " WHERE mirror = ? ORDER BY mac",
                row -> new PullAgentRecord(row.getString("mac"), row.getString("address"), row.getString("product"),
                        row.getString("version"), InventoryDatabase.getInstant(row, "last_check"),
                        InventoryDatabase.getInstant(row, "next_check"), row.getString("server")),
                name));
    }

    @Override
    public boolean raise(MirrorAlarm alarm) {
        return database.transaction("raise an alarm on mirror " + alarm.mirror(), connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE mirror_alarms SET agents_behind = ?"
                    + " WHERE mirror = ? AND product = ? AND version = ? AND scheduled_at = ? AND cleared_at IS NULL")) {
                update.setInt(1, alarm.agentsBehind());
                update.setString(2, alarm.mirror());
                update.setString(3, alarm.product());
                update.setString(4, alarm.version());
                InventoryDatabase.setInstant(update, 5, alarm.scheduledAt());
                if (update.executeUpdate() > 0) {
                    return false;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO mirror_alarms (" + ALARM_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, NULL)")) {
                insert.setString(1, alarm.mirror());
                insert.setString(2, alarm.product());
                insert.setString(3, alarm.version());
                InventoryDatabase.setInstant(insert, 4, alarm.scheduledAt());
                insert.setInt(5, alarm.agentsBehind());
                InventoryDatabase.setInstant(insert, 6, alarm.raisedAt());
                insert.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public boolean clear(String mirror, String product, Instant at) {
        return database.run("clear the alarm of " + product + " on mirror " + mirror, connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE mirror_alarms SET cleared_at = ?"
                    + " WHERE mirror = ? AND product = ? AND cleared_at IS NULL")) {
                InventoryDatabase.setInstant(update, 1, at);
                update.setString(2, mirror);
                update.setString(3, product);
                return update.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<MirrorAlarm> alarms(boolean openOnly) {
        return database.run("read the mirror alarms", connection -> InventoryDatabase.select(connection,
                "SELECT " + ALARM_COLUMNS + " FROM mirror_alarms" + (openOnly ? " WHERE cleared_at IS NULL" : "")
                        + " ORDER BY raised_at DESC, mirror, product",
                row -> new MirrorAlarm(row.getString("mirror"), row.getString("product"), row.getString("version"),
                        InventoryDatabase.getInstant(row, "scheduled_at"), row.getInt("agents_behind"),
                        InventoryDatabase.getInstant(row, "raised_at"),
                        InventoryDatabase.getInstant(row, "cleared_at"))));
    }

    @Override
    public boolean acceptSequence(String keyId, long sequence) {
        return database.transaction("check the request sequence of primary key " + keyId, connection -> {
            // One conditional update: two requests with the same sequence racing each other, one wins.
            try (PreparedStatement update = connection.prepareStatement("UPDATE mirror_sequences SET last_sequence = ?"
                    + " WHERE key_id = ? AND last_sequence < ?")) {
                update.setLong(1, sequence);
                update.setString(2, keyId);
                update.setLong(3, sequence);
                if (update.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT 1 FROM mirror_sequences WHERE key_id = ?")) {
                select.setString(1, keyId);
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return false;
                    }
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO mirror_sequences (key_id, last_sequence) VALUES (?, ?)")) {
                insert.setString(1, keyId);
                insert.setLong(2, sequence);
                insert.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (InventoryDatabase.duplicateKey(e)) {
                    return false;
                }
                throw e;
            }
        });
    }
}
