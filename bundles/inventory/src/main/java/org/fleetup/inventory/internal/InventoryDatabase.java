package org.fleetup.inventory.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import javax.sql.ConnectionPoolDataSource;

import org.fleetup.api.DataDirectory;
import org.fleetup.api.FleetupException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inventory database: opened, and its tables created, at activation; closed at deactivation. The components that
 * read and write it share it. It is the one place where a {@link SQLException} becomes a
 * {@link FleetupException}. It runs on the embedded H2 file (the default) or on PostgreSQL, which several controllers
 * share, with the same SQL ({@link Dialect} holds the few differences). Connections come from H2's own pool, over
 * the driver's own pooled data source made from the URL: no JDBC {@code DriverManager} lookup, which does not see
 * bundle class loaders in OSGi.
 */
@Component(service = InventoryDatabase.class, configurationPid = InventoryDatabase.PID)
@Designate(ocd = InventoryDatabase.Config.class)
public final class InventoryDatabase implements AutoCloseable {

    static final String PID = "org.fleetup.inventory";

    private static final Logger LOGGER = LoggerFactory.getLogger(InventoryDatabase.class);

    @ObjectClassDefinition(name = "Fleetup inventory", description = "The database that keeps the fleet, the"
            + " releases, the rollouts and the audit trail")
    public @interface Config {

        @AttributeDefinition(description = "JDBC URL of the database: empty for the H2 file database"
                + " <karaf.data>/inventory/fleetup (jdbc:h2:file:...); jdbc:postgresql://host:5432/fleetup for a"
                + " PostgreSQL database that several controllers share")
        String url() default "";

        @AttributeDefinition(description = "Database user; a new database is created with it")
        String user() default "fleetup";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "Database password; a new database is"
                + " created with it")
        String password() default "";

        @AttributeDefinition(min = "1", description = "Most connections open at once; callers beyond wait for one")
        int maxConnections() default 10;
    }

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

    /**
     * H2 keeps 8 parsed statements per connection by default; a rollout's workers use some thirty, in turn, over the
     * pool's connections, and parsing them again was a tenth of the controller's CPU in a rollout of 200 servers.
     */
    static final String EMBEDDED_SETTINGS = ";QUERY_CACHE_SIZE=64";

    private final JdbcConnectionPool pool;
    private final String location;
    private final Dialect dialect;

    @Activate
    public InventoryDatabase(Config config) {
        this(config.url().isBlank() ? defaultUrl() : config.url(), config.user(), config.password(),
                config.maxConnections());
    }

    /** Opens the database and creates the tables it lacks. */
    InventoryDatabase(String url, String user, String password, int maxConnections) {
        if (maxConnections < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "maxConnections of " + PID + " is "
                    + maxConnections + "; set it to 1 or more.");
        }
        this.location = location(url);
        this.dialect = Dialect.of(url);
        if (dialect == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "url of " + PID + " is " + location
                    + "; give a jdbc:postgresql:// URL, a jdbc:h2: URL, or nothing for the embedded H2 file.");
        }
        this.pool = dialect == Dialect.H2 ? JdbcConnectionPool.create(url, user, password)
                : JdbcConnectionPool.create(postgresql(url, user, password));
        pool.setMaxConnections(maxConnections);
        try {
            run("prepare its connections", connection -> {
                dialect.prepare(connection);
                return null;
            });
            int found = run("create or migrate its tables", Schema::apply);
            LOGGER.info("Inventory open at {} (schema version {}{})", location, Schema.VERSION,
                    found == 0 ? ", new" : "");
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
    }

    private static ConnectionPoolDataSource postgresql(String url, String user, String password) {
        try {
            return PostgresqlSource.create(url, user, password);
        } catch (NoClassDefFoundError e) {
            throw new FleetupException(FleetupException.INVENTORY_FAILED, "The PostgreSQL driver is not installed;"
                    + " install the bundle mvn:org.postgresql/postgresql (fleetup-core carries it), or leave url of "
                    + PID + " empty for the embedded H2 file.", e);
        }
    }

    /** {@code jdbc:h2:file:} under the Karaf data dir, or under {@code java.io.tmpdir/fleetup} outside Karaf. */
    static String defaultUrl() {
        return "jdbc:h2:file:" + DataDirectory.resolve("inventory", "fleetup") + EMBEDDED_SETTINGS;
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
        try (Connection connection = pool.getConnection()) {
            return work.apply(connection);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs {@code work} in one transaction: everything it wrote is committed, or nothing when it throws. */
    <T> T transaction(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
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

    /** Closes the idle connections; H2 closes the database once the last connection in use is returned. */
    @Deactivate
    @Override
    public void close() {
        pool.dispose();
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
