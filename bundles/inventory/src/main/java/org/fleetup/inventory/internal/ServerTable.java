package org.fleetup.inventory.internal;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;

/** The servers of the fleet and their attributes. */
final class ServerTable {

    /** One row per server and attribute, with what is trusted of the server, read in the same statement. */
    private static final String SELECT = "SELECT s.name, s.cluster, s.address, s.login_user, s.key_file,"
            + " t.scheme AS trust_scheme, t.trust_value, a.name AS attribute, a.attribute_value FROM servers s"
            + " LEFT JOIN server_trust t ON t.server = s.name LEFT JOIN server_attributes a ON a.server = s.name";
    private static final String ORDER = " ORDER BY s.name, a.name";

    private final InventoryDatabase database;
    private final ServerTrustTable trust;

    ServerTable(InventoryDatabase database, ServerTrustTable trust) {
        this.database = database;
        this.trust = trust;
    }

    /** Adds {@code servers} with what is trusted of them ({@code trusted}, by name), all or none. */
    void add(List<Server> servers, Map<String, String> trusted) {
        checkNamesUnique(servers);
        try {
            insert(servers, trusted);
        } finally {
            trust.changed(servers.stream().map(Server::name).toList());
        }
    }

    private void insert(List<Server> servers, Map<String, String> trusted) {
        database.transaction("add servers", connection -> {
            ServerLogins.checkUnique(connection, servers, Set.of());
            Instant now = Instant.now();
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO servers (name, cluster, address, login_user, key_file, login_key,"
                            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Server server : servers) {
                    bindServer(insert, server);
                    InventoryDatabase.setInstant(insert, 7, now);
                    InventoryDatabase.setInstant(insert, 8, now);
                    try {
                        insert.executeUpdate();
                    } catch (SQLException e) {
                        // a duplicate login here is a concurrent change, left to the general message
                        if (InventoryDatabase.duplicateKey(e)
                                && !e.getMessage().toLowerCase(Locale.ROOT).contains("servers_by_login")) {
                            throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name()
                                    + "' exists already; no server was added. Remove it first, or replace the"
                                    + " servers instead of adding them.", e);
                        }
                        throw e;
                    }
                }
            }
            insertAttributes(connection, servers);
            trust.replace(connection, servers, trusted);
            return null;
        });
    }

    /**
     * Adds or replaces {@code servers}, what is trusted of each becoming what {@code trusted} says (nothing when it
     * names none), all or none.
     */
    void put(List<Server> servers, Map<String, String> trusted, Predicate<Server> replaceable) {
        checkNamesUnique(servers);
        try {
            merge(servers, trusted, replaceable);
        } finally {
            trust.changed(servers.stream().map(Server::name).toList());
        }
    }

    private void merge(List<Server> servers, Map<String, String> trusted, Predicate<Server> replaceable) {
        database.transaction("replace servers", connection -> {
            checkReplaceable(connection, servers, replaceable);
            ServerLogins.checkUnique(connection, servers,
                    servers.stream().map(Server::name).collect(Collectors.toSet()));
            Instant now = Instant.now();
            try (PreparedStatement releaseLogin = connection.prepareStatement(
                    "UPDATE servers SET login_key = NULL WHERE name = ?");
                 PreparedStatement merge = connection.prepareStatement(database.dialect().sql(
                    "MERGE INTO servers target USING (VALUES (CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                            + " CAST(? AS VARCHAR), CAST(? AS VARCHAR), CAST(? AS VARCHAR),"
                            + " CAST(? AS VARCHAR), CAST(? AS TIMESTAMP(9) WITH TIME ZONE)))"
                            + " AS source (name, cluster, address, login_user, key_file, login_key, at)"
                            + " ON target.name = source.name"
                            + " WHEN MATCHED THEN UPDATE SET cluster = source.cluster, address = source.address,"
                            + " login_user = source.login_user, key_file = source.key_file,"
                            + " login_key = source.login_key, updated_at = source.at"
                            + " WHEN NOT MATCHED THEN INSERT (name, cluster, address, login_user, key_file,"
                            + " login_key, created_at, updated_at) VALUES (source.name, source.cluster,"
                            + " source.address, source.login_user, source.key_file,"
                            + " source.login_key, source.at, source.at)"));
                 PreparedStatement deleteAttributes = connection.prepareStatement(
                         "DELETE FROM server_attributes WHERE server = ?")) {
                for (Server server : servers) {
                    // so that servers replaced together may trade logins without tripping the unique index midway
                    releaseLogin.setString(1, server.name());
                    releaseLogin.addBatch();
                    bindServer(merge, server);
                    InventoryDatabase.setInstant(merge, 7, now);
                    merge.addBatch();
                    deleteAttributes.setString(1, server.name());
                    deleteAttributes.addBatch();
                }
                releaseLogin.executeBatch();
                merge.executeBatch();
                deleteAttributes.executeBatch();
            }
            insertAttributes(connection, servers);
            trust.replace(connection, servers, trusted);
            return null;
        });
    }

    Optional<Server> find(String name) {
        return database.run("read server " + name, connection -> find(connection, name));
    }

    private Optional<Server> find(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(SELECT + " WHERE s.name = ?" + ORDER)) {
            select.setString(1, name);
            return servers(select).stream().findFirst();
        }
    }

    /** Locks the records {@code servers} would replace, so that what {@code replaceable} accepted is what changes. */
    private void checkReplaceable(Connection connection, List<Server> servers, Predicate<Server> replaceable)
            throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement(
                "SELECT name FROM servers WHERE name = ? FOR UPDATE")) {
            for (Server server : servers) {
                lock.setString(1, server.name());
                try (ResultSet locked = lock.executeQuery()) {
                    if (!locked.next()) {
                        continue;
                    }
                }
                Server existing = find(connection, server.name()).orElseThrow();
                if (!replaceable.test(existing)) {
                    throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + existing.name() + "' ("
                            + existing.address() + ") is in the inventory already and this change may not replace"
                            + " it; no server was changed.");
                }
            }
        }
    }

    List<Server> list(String cluster) {
        return database.run("list servers", connection -> {
            if (cluster == null) {
                try (PreparedStatement select = connection.prepareStatement(SELECT + ORDER)) {
                    return servers(select);
                }
            }
            try (PreparedStatement select = connection.prepareStatement(SELECT + " WHERE s.cluster = ?" + ORDER)) {
                select.setString(1, cluster);
                return servers(select);
            }
        });
    }

    boolean remove(String name) {
        try {
            return database.run("remove server " + name, connection -> {
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM servers WHERE name = ?")) {
                    delete.setString(1, name);
                    return delete.executeUpdate() > 0;
                }
            });
        } finally {
            trust.changed(List.of(name));
        }
    }

    static FleetupException notFound(String server) {
        return new FleetupException(FleetupException.SERVER_NOT_FOUND,
                "Unknown server '" + server + "'. 'fleet:server-list' shows the servers of the fleet.");
    }

    private static void checkNamesUnique(List<Server> servers) {
        Set<String> seen = new HashSet<>();
        for (Server server : servers) {
            checkSettingsKept(server);
            if (server.name().isBlank()) {
                throw new FleetupException(FleetupException.SERVER_INVALID,
                        "A server has a blank name; no server was changed. Give every server a name.");
            }
            if (!seen.add(server.name())) {
                throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name()
                        + "' is listed twice; no server was changed. List each server once.");
            }
        }
    }

    /**
     * The inventory keeps the settings of a login in their own columns ({@code login_user}, {@code key_file}), which
     * also hold one record per login; a setting it has no column for would be lost without a word, so it is refused.
     */
    private static void checkSettingsKept(Server server) {
        for (String setting : server.settings().keySet()) {
            if (!LoginSettings.NAMES.contains(setting)) {
                throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name() + "' has the"
                        + " setting '" + setting + "', which the inventory cannot keep (it keeps "
                        + String.join(", ", new TreeSet<>(LoginSettings.NAMES)) + "); no server was changed."
                        + " Leave it out, or install a version of Fleetup whose inventory keeps it.");
            }
        }
    }

    private static void bindServer(PreparedStatement statement, Server server) throws SQLException {
        statement.setString(1, server.name());
        statement.setString(2, server.cluster());
        statement.setString(3, server.address().toString());
        statement.setString(4, LoginSettings.user(server));
        statement.setString(5, LoginSettings.keyFile(server));
        statement.setString(6, ServerLogins.key(server));
    }

    private static void insertAttributes(Connection connection, List<Server> servers) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO server_attributes (server, name, attribute_value) VALUES (?, ?, ?)")) {
            for (Server server : servers) {
                for (Map.Entry<String, String> attribute : server.attributes().entrySet()) {
                    insert.setString(1, server.name());
                    insert.setString(2, attribute.getKey());
                    insert.setString(3, attribute.getValue());
                    insert.addBatch();
                }
            }
            insert.executeBatch();
        }
    }

    /** Folds the rows of {@link #SELECT}, one per attribute, into servers, and tells {@link #trust} what it read. */
    private List<Server> servers(PreparedStatement select) throws SQLException {
        Map<String, Server> servers = new LinkedHashMap<>();
        Map<String, Map<String, String>> attributes = new HashMap<>();
        try (ResultSet row = select.executeQuery()) {
            while (row.next()) {
                String name = row.getString("name");
                if (!servers.containsKey(name)) {
                    servers.put(name, new Server(name, row.getString("cluster"), URI.create(row.getString("address")),
                            LoginSettings.of(row.getString("login_user"), row.getString("key_file")), null));
                    trust.seen(name, row.getString("trust_scheme"), row.getString("trust_value"));
                }
                String attribute = row.getString("attribute");
                if (attribute != null) {
                    attributes.computeIfAbsent(name, n -> new HashMap<>()).put(attribute,
                            row.getString("attribute_value"));
                }
            }
        }
        return servers.values().stream()
                .map(s -> new Server(s.name(), s.cluster(), s.address(), s.settings(),
                        attributes.get(s.name())))
                .toList();
    }
}
