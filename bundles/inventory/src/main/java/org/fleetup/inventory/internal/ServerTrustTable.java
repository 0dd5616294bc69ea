package org.fleetup.inventory.internal;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;

/**
 * What is trusted of each server, one row per server for the scheme it was trusted over. Read with the servers
 * themselves ({@link ServerTable} joins it), and remembered from that read: a transport asking for a server's trust
 * right after the rollout read the server costs no round trip to the database. A change made here is seen at once; one
 * made by another controller on the same database, at this controller's next read of that server (a rollout reads
 * each server as it starts on it).
 */
final class ServerTrustTable {

    /** What the table holds for a server: a scheme and a value, or nothing. */
    private record Trusted(String scheme, String value) {

        static final Trusted NONE = new Trusted(null, null);
    }

    private final InventoryDatabase database;
    private final Map<String, Trusted> lastRead = new ConcurrentHashMap<>();

    ServerTrustTable(InventoryDatabase database) {
        this.database = database;
    }

    /** Remembers what a read of the servers found; {@code scheme} and {@code value} are {@code null} for nothing. */
    void seen(String server, String scheme, String value) {
        lastRead.put(server, value == null ? Trusted.NONE : new Trusted(scheme, value));
    }

    Optional<String> trusted(Server server) {
        Trusted trusted = lastRead.get(server.name());
        if (trusted == null) {
            trusted = database.run("read the trust of " + server.name(), connection -> read(connection,
                    server.name()));
            lastRead.put(server.name(), trusted);
        }
        return trusted.value() != null && trusted.scheme().equals(ServerTrust.scheme(server.address()))
                ? Optional.of(trusted.value()) : Optional.empty();
    }

    /** @return whether the server exists */
    boolean trust(Server server, String value) {
        try {
            return database.transaction("record the trust of " + server.name(), connection -> {
                if (!exists(connection, server.name())) {
                    return false;
                }
                delete(connection, server.name());
                insert(connection, server, value, Instant.now());
                return true;
            });
        } finally {
            lastRead.remove(server.name());
        }
    }

    boolean forget(String server) {
        try {
            return database.run("forget the trust of " + server, connection -> delete(connection, server) > 0);
        } finally {
            lastRead.remove(server);
        }
    }

    /**
     * Within a transaction that adds or replaces {@code servers}: what was trusted of them is what {@code trusted}
     * says now, by name, and nothing for one it does not name.
     */
    void replace(Connection connection, Collection<Server> servers, Map<String, String> trusted) throws SQLException {
        Instant now = Instant.now();
        for (Server server : servers) {
            delete(connection, server.name());
            String value = trusted.get(server.name());
            if (value != null && !value.isBlank()) {
                insert(connection, server, value.strip(), now);
            }
        }
    }

    /** Forgets what was read of these servers, after a change that may or may not have been committed. */
    void changed(Collection<String> servers) {
        servers.forEach(lastRead::remove);
    }

    /**
     * Version 6: the host key a version-5 inventory kept in the server's record becomes its trust over the scheme of
     * its address. Run once, in the migration's transaction.
     */
    static void fromHostKeys(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT name, address, host_key, updated_at"
                + " FROM servers s WHERE host_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM server_trust t"
                + " WHERE t.server = s.name)");
             PreparedStatement insert = connection.prepareStatement("INSERT INTO server_trust (server, scheme,"
                     + " trust_value, trusted_at) VALUES (?, ?, ?, ?)");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                if (row.getString("host_key").isBlank()) {
                    continue;
                }
                insert.setString(1, row.getString("name"));
                insert.setString(2, ServerTrust.scheme(URI.create(row.getString("address"))));
                insert.setString(3, row.getString("host_key").strip());
                InventoryDatabase.setInstant(insert, 4, InventoryDatabase.getInstant(row, "updated_at"));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static Trusted read(Connection connection, String server) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT scheme, trust_value FROM server_trust WHERE server = ?")) {
            select.setString(1, server);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? new Trusted(row.getString("scheme"), row.getString("trust_value"))
                        : Trusted.NONE;
            }
        }
    }

    private static int delete(Connection connection, String server) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM server_trust WHERE server = ?")) {
            delete.setString(1, server);
            return delete.executeUpdate();
        }
    }

    private static boolean exists(Connection connection, String server) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM servers WHERE name = ?")) {
            select.setString(1, server);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    private static void insert(Connection connection, Server server, String value, Instant at) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO server_trust (server, scheme,"
                + " trust_value, trusted_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, server.name());
            insert.setString(2, ServerTrust.scheme(server.address()));
            insert.setString(3, value);
            InventoryDatabase.setInstant(insert, 4, at);
            insert.executeUpdate();
        }
    }
}
