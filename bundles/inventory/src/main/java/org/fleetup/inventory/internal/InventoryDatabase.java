package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.fleetup.api.FleetupException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory database: its tables created at activation. The components that read and write it share it. It is
 * the one place where a {@link SQLException} becomes a {@link FleetupException}. It runs on the embedded H2 file (the
 * default) or on PostgreSQL, which several controllers share, with the same SQL ({@link Dialect} holds the few
 * differences, chosen by what the database says it is). Its connections come from a {@link DataSource} service made
 * by pax-jdbc-config from {@code etc/org.ops4j.datasource-fleetup.cfg} (the URL, the user, the password and the pool),
 * which owns and closes the pool: switching databases is an edit of that one file.
 */
@Component(service = InventoryDatabase.class, configurationPid = InventoryDatabase.PID)
@Designate(ocd = InventoryDatabase.Config.class)
public final class InventoryDatabase implements AutoCloseable {

    static final String PID = "org.fleetup.inventory";

    /** Where the operator sets the database: the pax-jdbc-config factory configuration the distribution ships. */
    static final String DATA_SOURCE_FILE = "etc/org.ops4j.datasource-fleetup.cfg";

    private static final Logger LOGGER = LoggerFactory.getLogger(InventoryDatabase.class);

    @ObjectClassDefinition(name = "Fleetup inventory", description = "The database that keeps the fleet, the"
            + " releases, the rollouts and the audit trail")
    public @interface Config {

        @AttributeDefinition(name = "dataSource.target", description = "Filter of the javax.sql.DataSource service"
                + " the inventory uses; pax-jdbc-config registers the one of " + DATA_SOURCE_FILE + " with"
                + " dataSourceName=fleetup")
        String dataSource_target() default DATA_SOURCE;
    }

    /** The data source of {@link #DATA_SOURCE_FILE}. */
    static final String DATA_SOURCE = "(dataSourceName=fleetup)";

    /** Work done on one connection. */
    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    /** One row read into a value. */
    @FunctionalInterface
    interface Row<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final DataSource dataSource;
    private final Runnable release;
    private final String location;
    private final Dialect dialect;

    /**
     * The inventory over the DataSource that pax-jdbc-config made from {@link #DATA_SOURCE_FILE}; the service's url
     * property (its settings left out) names the database in messages until a connection is made.
     */
    @Activate
    public InventoryDatabase(@Reference(name = "dataSource", target = DATA_SOURCE)
            Map.Entry<Map<String, Object>, DataSource> dataSource, Map<String, Object> properties) {
        this(configured(dataSource.getKey(), properties), dataSource.getValue(), () -> {
        });
    }

    /**
     * The inventory over a data source of the caller's own, outside OSGi (tests, tools), reached at {@code url} (named
     * in messages, without its settings): {@link #close()} runs {@code release} (the pool's own close) once the
     * inventory is done with it.
     */
    public InventoryDatabase(DataSource dataSource, String url, Runnable release) {
        this(location(url), dataSource, release);
    }

    /** Opens the database and creates the tables it lacks. */
    private InventoryDatabase(String configured, DataSource dataSource, Runnable release) {
        this.dataSource = dataSource;
        this.release = release;
        try {
            String product;
            String url;
            try (Connection connection = dataSource.getConnection()) {
                DatabaseMetaData metaData = connection.getMetaData();
                product = metaData.getDatabaseProductName();
                url = metaData.getURL();
            } catch (SQLException e) {
                throw new FleetupException(FleetupException.INVENTORY_FAILED, "The inventory database at "
                        + configured + " could not be opened: " + e.getMessage() + ". Check that it is reachable,"
                        + " that the database exists, and the url, user and password in " + DATA_SOURCE_FILE + ".",
                        e);
            }
            this.location = url == null ? configured : location(url);
            this.dialect = Dialect.of(product);
            if (dialect == null) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "The inventory database at " + location
                        + " is " + product + "; the inventory runs on PostgreSQL or H2: give a jdbc:postgresql:// or"
                        + " a jdbc:h2: url in " + DATA_SOURCE_FILE + ", with its driver's osgi.jdbc.driver.class.");
            }
            run("prepare its connections", connection -> {
                dialect.prepare(connection);
                return null;
            });
            int found = run("create or migrate its tables", Schema::apply);
            LOGGER.info("Inventory open at {} (schema version {}{})", location, Schema.VERSION,
                    found == 0 ? ", new" : "");
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
    }

    /**
     * Refuses the database settings the component's own configuration held before the data source had a file of its
     * own (url, user, password, maxConnections), unless they are the defaults that file shipped with: refused rather
     * than ignored, since a controller whose PostgreSQL URL was ignored would start on an empty H2 inventory of its own.
     */
    static void refuseEarlierSettings(Map<String, Object> properties) {
        Map<String, String> shipped = Map.of("url", "", "user", "fleetup", "password", "", "maxConnections", "10");
        List<String> set = shipped.keySet().stream().sorted().filter(key -> properties.get(key) != null
                && !String.valueOf(properties.get(key)).strip().equals(shipped.get(key))).toList();
        if (!set.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "etc/" + PID + ".cfg sets " + String.join(
                    ", ", set) + ", which this version reads from " + DATA_SOURCE_FILE + " instead: move url, user"
                    + " and password there (maxConnections is hikari.maximumPoolSize there), then delete them from"
                    + " etc/" + PID + ".cfg.");
        }
    }

    /**
     * Where the data source is, for messages: its URL as its configuration gives it, without its settings, else its
     * name. Its component's own configuration is checked first, before any connection is made.
     */
    private static String configured(Map<String, Object> properties, Map<String, Object> component) {
        refuseEarlierSettings(component);
        Object url = properties.get("url");
        return url == null ? String.valueOf(properties.get("dataSourceName")) : location(String.valueOf(url));
    }

    /** Where the database is, for messages: the URL without its settings, which may carry credentials. */
    String location() {
        return location;
    }

    Dialect dialect() {
        return dialect;
    }

    /** Runs {@code work} on a connection of its own, committing each statement as it goes. */
    <T> T run(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction: everything it wrote is committed, or nothing when it throws. */
    <T> T transaction(String what, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    FleetupException failure(String what, SQLException e) {
        return new FleetupException(FleetupException.INVENTORY_FAILED, "The inventory database at " + location
                + " could not " + what + ": " + e.getMessage() + ". " + dialect.advice(), e);
    }

    /**
     * Done with the database. In Karaf the pool is pax-jdbc-config's, closed when its configuration goes; outside, the
     * caller's release runs (H2 closes its file once the last connection is closed).
     */
    @Deactivate
    @Override
    public void close() {
        release.run();
        LOGGER.info("Inventory at {} closed", location);
    }

    static void setInstant(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            // an offset date-time, which both drivers take for TIMESTAMP WITH TIME ZONE (PostgreSQL's takes no Instant)
            statement.setObject(index, instant.atOffset(ZoneOffset.UTC));
        }
    }

    /** What {@code sql} selects, {@code parameters} bound in order, a value a row. */
    static <T> List<T> select(Connection connection, String sql, Row<T> row, String... parameters)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                select.setString(i + 1, parameters[i]);
            }
            List<T> values = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(row.read(rows));
                }
            }
            return values;
        }
    }

    static Instant getInstant(ResultSet row, String column) throws SQLException {
        OffsetDateTime at = row.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }

    /** Whether {@code e} is a unique index refusing a row (SQLSTATE 23505, in both databases). */
    static boolean duplicateKey(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /**
     * Whether {@code e} is a reference to a row that is not there: SQLSTATE 23506 in H2, 23503 in PostgreSQL (which
     * H2 gives to a row still referenced, on a delete: no caller here deletes in a way that meets it).
     */
    static boolean missingParent(SQLException e) {
        return "23506".equals(e.getSQLState()) || "23503".equals(e.getSQLState());
    }

    /** The URL without its settings (H2's after ';', PostgreSQL's after '?'), which may carry credentials. */
    static String location(String url) {
        int settings = url.indexOf(url.startsWith("jdbc:h2:") ? ';' : '?');
        return settings < 0 ? url : url.substring(0, settings);
    }
}
