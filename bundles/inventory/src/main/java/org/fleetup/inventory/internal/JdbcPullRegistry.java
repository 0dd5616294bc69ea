package org.fleetup.inventory.internal;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.ScheduledRelease;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The pull agents, the release schedule and the moves, in the inventory database. Writes are an update, then an
 * insert when no row was there, in one transaction: portable SQL, where a MERGE would differ from H2 to PostgreSQL.
 */
@Component(service = PullRegistry.class)
public final class JdbcPullRegistry implements PullRegistry {

    /** The redirect row that moves every agent. */
    static final String ALL = "*";

    private static final String AGENT_COLUMNS = "mac, address, product, version, last_check, next_check, server,"
            + " status, detail, failed_version, offered_version";

    private final InventoryDatabase database;

    @Activate
    public JdbcPullRegistry(@Reference InventoryDatabase database) {
        this.database = database;
    }

    @Override
    public void checked(PullAgentRecord check) {
        database.transaction("record the check of pull agent " + check.mac(), connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE pull_agents SET address = ?,"
                    + " product = ?, version = ?, last_check = ?, next_check = ?, server = ? WHERE mac = ?")) {
                update.setString(1, check.address());
                update.setString(2, check.product());
                update.setString(3, check.version());
                InventoryDatabase.setInstant(update, 4, check.lastCheck());
                InventoryDatabase.setInstant(update, 5, check.nextCheck());
                update.setString(6, check.server());
                update.setString(7, check.mac());
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO pull_agents (" + AGENT_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, check.mac());
                insert.setString(2, check.address());
                insert.setString(3, check.product());
                insert.setString(4, check.version());
                InventoryDatabase.setInstant(insert, 5, check.lastCheck());
                InventoryDatabase.setInstant(insert, 6, check.nextCheck());
                insert.setString(7, check.server());
                insert.setString(8, check.status());
                insert.setString(9, check.detail());
                insert.setString(10, check.failedVersion());
                insert.setString(11, check.offeredVersion());
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public void reported(String mac, String version, String status, String detail, Instant at) {
        boolean failed = "failed".equals(status) || "rolled-back".equals(status);
        database.run("record the report of pull agent " + mac, connection -> {
            try (PreparedStatement update = connection.prepareStatement("UPDATE pull_agents SET status = ?,"
                    + " detail = ?, failed_version = CASE WHEN ? THEN ? ELSE failed_version END,"
                    + " version = CASE WHEN ? THEN ? ELSE version END WHERE mac = ?")) {
                update.setString(1, status);
                update.setString(2, detail);
                update.setBoolean(3, failed);
                update.setString(4, version);
                update.setBoolean(5, "done".equals(status) && version != null);
                update.setString(6, version);
                update.setString(7, mac);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public void offered(String mac, String version) {
        database.run("record the offer to pull agent " + mac, connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE pull_agents SET offered_version = ? WHERE mac = ?")) {
                update.setString(1, version);
                update.setString(2, mac);
                return update.executeUpdate();
            }
        });
    }

    @Override
    public List<PullAgentRecord> agents() {
        return database.run("read the pull agents", connection -> agents(connection, ""));
    }

    @Override
    public Optional<PullAgentRecord> agent(String mac) {
        return database.run("read pull agent " + mac, connection -> agents(connection, " WHERE mac = ?", mac))
                .stream().findFirst();
    }

    private static List<PullAgentRecord> agents(Connection connection, String where, String... parameters)
            throws SQLException {
        return InventoryDatabase.select(connection, "SELECT " + AGENT_COLUMNS + " FROM pull_agents" + where
                + " ORDER BY mac", JdbcPullRegistry::readAgent, parameters);
    }

    private static PullAgentRecord readAgent(ResultSet row) throws SQLException {
        return new PullAgentRecord(row.getString("mac"), row.getString("address"), row.getString("product"),
                row.getString("version"), InventoryDatabase.getInstant(row, "last_check"),
                InventoryDatabase.getInstant(row, "next_check"), row.getString("server"), row.getString("status"),
                row.getString("detail"), row.getString("failed_version"), row.getString("offered_version"));
    }

    @Override
    public void schedule(ScheduledRelease release) {
        database.transaction("schedule " + release.product() + "/" + release.version(), connection -> {
            try (PreparedStatement update = connection.prepareStatement(
                    "UPDATE release_schedules SET version = ?, publish_at = ?, wave_size = ?, max_errors = ?,"
                            + " rollout = ? WHERE product = ?")) {
                update.setString(1, release.version());
                InventoryDatabase.setInstant(update, 2, release.at());
                update.setInt(3, release.waveSize());
                update.setInt(4, release.maxErrors());
                update.setString(5, release.rollout());
                update.setString(6, release.product());
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO release_schedules (product, version, publish_at, wave_size, max_errors,"
                            + " rollout) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, release.product());
                insert.setString(2, release.version());
                InventoryDatabase.setInstant(insert, 3, release.at());
                insert.setInt(4, release.waveSize());
                insert.setInt(5, release.maxErrors());
                insert.setString(6, release.rollout());
                insert.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public Optional<ScheduledRelease> scheduled(String product) {
        return schedules(" WHERE product = ?", product).stream().findFirst();
    }

    @Override
    public List<ScheduledRelease> schedules() {
        return schedules("", null);
    }

    private List<ScheduledRelease> schedules(String where, String product) {
        return database.run("read the release schedule", connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT product, version, publish_at, wave_size, max_errors,"
                    + " rollout FROM"
                    + " release_schedules" + where + " ORDER BY product")) {
                if (product != null) {
                    select.setString(1, product);
                }
                List<ScheduledRelease> releases = new ArrayList<>();
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        releases.add(new ScheduledRelease(row.getString(1), row.getString(2),
                                InventoryDatabase.getInstant(row, "publish_at"), row.getInt("wave_size"),
                                row.getInt("max_errors"), row.getString("rollout")));
                    }
                }
                return releases;
            }
        });
    }

    @Override
    public void redirect(URI to, List<String> macs) {
        List<String> keys = macs.isEmpty() ? List.of(ALL) : macs;
        database.transaction("register the move to " + to, connection -> {
            if (macs.isEmpty()) {
                // A move of every agent replaces the moves of some: the operator now sends all to one place.
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM agent_redirects")) {
                    delete.executeUpdate();
                }
            }
            for (String mac : keys) {
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM agent_redirects WHERE mac = ?");
                     PreparedStatement insert = connection.prepareStatement(
                             "INSERT INTO agent_redirects (mac, target, registered_at) VALUES (?, ?, ?)")) {
                    delete.setString(1, mac);
                    delete.executeUpdate();
                    insert.setString(1, mac);
                    insert.setString(2, to.toString());
                    InventoryDatabase.setInstant(insert, 3, Instant.now());
                    insert.executeUpdate();
                }
            }
            return null;
        });
    }

    @Override
    public Optional<URI> redirect(String mac) {
        return database.run("read the move of " + mac, connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT target FROM agent_redirects"
                    + " WHERE mac IN (?, ?) ORDER BY CASE WHEN mac = ? THEN 0 ELSE 1 END")) {
                select.setString(1, mac);
                select.setString(2, ALL);
                select.setString(3, mac);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? Optional.of(URI.create(row.getString(1))) : Optional.<URI>empty();
                }
            }
        });
    }
}
