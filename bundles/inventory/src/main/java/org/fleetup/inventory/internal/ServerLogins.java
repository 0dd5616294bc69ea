package org.fleetup.inventory.internal;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One record per server: no two records log in as the same user at the same host and port. Two records for one server
 * would let two rollouts upgrade it at once, through the same staging file and {@code current} link. The rule is
 * checked here with a message naming both records, and held by the database in {@code servers.login_key} (unique),
 * which this class alone computes: {@code user@host:port}, the host in lower case as DNS compares it.
 */
final class ServerLogins {

    private static final Logger LOGGER = LoggerFactory.getLogger(ServerLogins.class);

    private ServerLogins() {
    }

    /** The login of an address and user, or {@code null} for an address without a host, which names no login. */
    static String key(URI address, String user) {
        String host = address.getHost();
        if (host == null) {
            return null;
        }
        return (user == null ? "" : user) + "@" + host.toLowerCase(Locale.ROOT) + ":" + address.getPort();
    }

    static String key(Server server) {
        return key(server.address(), LoginSettings.user(server));
    }

    /**
     * Refuses {@code servers} when two of them, or one of them and a record already there, share a login. Records
     * named in {@code replaced} are about to be overwritten, so their present logins do not count.
     */
    static void checkUnique(Connection connection, Collection<Server> servers, Set<String> replaced)
            throws SQLException {
        Map<String, Server> byLogin = new HashMap<>();
        for (Server server : servers) {
            String login = key(server);
            if (login == null) {
                continue;
            }
            Server twin = byLogin.putIfAbsent(login, server);
            if (twin != null) {
                throw shared(server.name(), twin.name(), login, twin.address(),
                        "correct the address or user of one of them");
            }
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT name, address FROM servers WHERE login_key = ?")) {
            for (Map.Entry<String, Server> entry : byLogin.entrySet()) {
                select.setString(1, entry.getKey());
                try (ResultSet row = select.executeQuery()) {
                    // The record of the same name holds it: that is the name taken, which the insert tells as such.
                    if (row.next() && !replaced.contains(row.getString("name"))
                            && !row.getString("name").equals(entry.getValue().name())) {
                        throw shared(entry.getValue().name(), row.getString("name"), entry.getKey(),
                                URI.create(row.getString("address")), "correct the address or user of '"
                                        + entry.getValue().name() + "', or remove '" + row.getString("name")
                                        + "' from the inventory first");
                    }
                }
            }
        }
    }

    /**
     * Gives every record that has no login key its key, oldest record first, unless another record holds that login
     * already: then both are kept as they are (the controller must start with the fleet it had) and the operator is
     * told which to remove. Runs at every start, so a login freed by removing one of two records goes to the other.
     */
    static void keyUnkeyed(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT name, address, login_user FROM servers"
                + " WHERE login_key IS NULL ORDER BY created_at, name");
             PreparedStatement update = connection.prepareStatement("UPDATE servers SET login_key = ? WHERE name = ?"
                     + " AND NOT EXISTS (SELECT 1 FROM servers holder WHERE holder.login_key = ?)");
             PreparedStatement holder = connection.prepareStatement("SELECT name FROM servers WHERE login_key = ?");
             ResultSet row = select.executeQuery()) {
            while (row.next()) {
                String name = row.getString("name");
                String login = key(URI.create(row.getString("address")), row.getString("login_user"));
                if (login == null) {
                    continue;
                }
                update.setString(1, login);
                update.setString(2, name);
                update.setString(3, login);
                if (update.executeUpdate() == 0) {
                    holder.setString(1, login);
                    try (ResultSet held = holder.executeQuery()) {
                        held.next();
                        LOGGER.warn("Servers '{}' and '{}' both log in as {}: two records for one server, which two"
                                + " rollouts could upgrade at once. Both are kept; remove one of them"
                                + " (fleet:server-list shows them).", name, held.getString("name"), login);
                    }
                }
            }
        }
    }

    private static FleetupException shared(String server, String other, String login, URI address, String fix) {
        return new FleetupException(FleetupException.SERVER_INVALID, "Servers '" + server + "' and '" + other
                + "' would both log in as " + login + " (" + address + "): two records for one server, which two"
                + " rollouts could upgrade at once. No server was changed. Keep one record per server: " + fix
                + ".");
    }
}
