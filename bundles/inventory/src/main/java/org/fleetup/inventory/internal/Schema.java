package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import liquibase.GlobalConfiguration;
import liquibase.Scope;
import liquibase.analytics.configuration.AnalyticsArgs;
import liquibase.changelog.ChangeLogHistoryServiceFactory;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.exception.LockException;
import liquibase.lockservice.DatabaseChangeLogLock;
import liquibase.lockservice.LockService;
import liquibase.lockservice.LockServiceFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

import org.fleetup.api.FleetupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the inventory's schema to {@link #VERSION} with Liquibase and {@code changelog.xml}, keeping every row, from
 * any earlier Fleetup's inventory (one before Liquibase too: the changelog tells how), or creates it. Liquibase runs
 * each changeset once, recorded in DATABASECHANGELOG, under the lock of DATABASECHANGELOGLOCK: controllers started
 * together on one PostgreSQL migrate one after the other, the later ones finding nothing to run. A start that finds
 * every changeset recorded already (every restart but the first after an upgrade) does not start Liquibase at all.
 *
 * <p>Liquibase is embedded in this bundle, private: its classes, its service files (it finds its parts with
 * {@link java.util.ServiceLoader}) and this changelog are all seen by this bundle's class loader, which is the one it is
 * given, as context class loader too.
 */
final class Schema {

    private static final Logger LOGGER = LoggerFactory.getLogger(Schema.class);

    /** How many times a controller goes on after losing the race for Liquibase's lock (three start together, say). */
    private static final int LOCK_RACES = 5;

    /** The version {@code changelog.xml} brings the inventory to, recorded in schema_version by its last changeset. */
    static final int VERSION = 9;

    static final String CHANGELOG = "org/fleetup/inventory/internal/changelog.xml";

    private Schema() {
    }

    /** @return the version found before, 0 for a new database */
    static int apply(Connection connection) throws SQLException {
        int found = hasVersions(connection) ? recordedVersion(connection) : 0;
        if (found > VERSION) {
            throw new FleetupException(FleetupException.INVENTORY_FAILED, "The inventory database has schema version "
                    + found + ", written by a newer Fleetup; this one knows up to version " + VERSION
                    + ". Run the newer Fleetup, or point org.fleetup.inventory url at another database.");
        }
        if (found < VERSION || !everyChangeSetRecorded(connection)) {
            update(connection);
        }
        // Not a migration: a login freed since the last start (its older record removed) goes to the other record.
        ServerLogins.keyUnkeyed(connection);
        return found;
    }

    private static void update(Connection connection) throws SQLException {
        boolean exclusive = ownedByThisProcess(connection);
        if (!exclusive) {
            createLockTable(connection);
        }
        ClassLoader bundle = Schema.class.getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(bundle);
        try {
            // Liquibase keeps its lock services in one map for the whole JVM, which two updates at once corrupt: two
            // inventories opening together in one JVM (tests do) take turns. Between controllers, its lock table decides.
            synchronized (LockServiceFactory.class) {
                Scope.child(Map.of(
                        Scope.Attr.classLoader.name(), bundle,
                        Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(bundle),
                        // what Liquibase reports goes to the controller's log, not to its standard output
                        Scope.Attr.ui.name(), new LoggerUIService(),
                        Scope.Attr.logService.name(), new LiquibaseLog(),
                        // Liquibase would send usage data to its vendor; a controller tells no one
                        AnalyticsArgs.ENABLED.getKey(), false,
                        // a controller waiting behind another's migration looks again every second, not every ten
                        GlobalConfiguration.CHANGELOGLOCK_POLL_RATE.getKey(), 1L), () -> update(
                                // not closed: that would close the connection, which the caller returns to the pool
                                DatabaseFactory.getInstance().findCorrectDatabaseImplementation(
                                        new JdbcConnection(connection)), exclusive));
            }
        } catch (SQLException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SQLException("Liquibase could not apply " + CHANGELOG + ": " + e.getMessage(), e);
        } finally {
            thread.setContextClassLoader(context);
            // Liquibase leaves the connection out of auto-commit, and the pool hands it out again as it is
            connection.setAutoCommit(true);
        }
    }

    private static void update(Database database, boolean exclusive) throws LiquibaseException {
        if (exclusive) {
            releaseLeftBehind(database);
        }
        createHistoryLocked(database);
        // Liquibase takes its lock by reading it free, then setting it: a controller that another one beat between the
        // two is told "Did not update change log lock correctly" (0 rows updated) instead of waiting. It tries again,
        // and then waits for the lock as Liquibase does, behind the controller that won.
        for (int attempt = 1; ; attempt++) {
            try {
                new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, CHANGELOG)
                        .execute();
                return;
            } catch (LiquibaseException e) {
                if (attempt >= LOCK_RACES || !lostTheLockRace(e)) {
                    throw e;
                }
                LOGGER.info("Another controller took Liquibase's lock as this one did: waiting for its migration");
                database.rollback();
            }
        }
    }

    /** Whether {@code e} is Liquibase's lock found free and then set by another controller first. */
    static boolean lostTheLockRace(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LockException && String.valueOf(cause.getMessage())
                    .contains("Did not update change log lock correctly") && String.valueOf(cause.getMessage())
                    .contains("0 rows were updated")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Releases a Liquibase lock found held in a database this process has to itself: no one else can hold it, so it is
     * one that a controller killed in the middle of a migration left behind. Liquibase's lock has no expiry, and every
     * later start would wait five minutes for it, then fail. (Updates in this process take turns, see above.)
     */
    private static void releaseLeftBehind(Database database) throws LiquibaseException {
        LockService lock = LockServiceFactory.getInstance().getLockService(database);
        DatabaseChangeLogLock[] held = lock.listLocks();
        if (held.length > 0) {
            LOGGER.warn("Liquibase's lock on the inventory was held by {} since {}: a migration that did not end (the"
                    + " controller was stopped in it); this controller has the inventory to itself, so the lock is"
                    + " released and the migration runs again", held[0].getLockedBy(), held[0].getLockGranted());
            lock.forceReleaseLock();
        }
    }

    /**
     * Creates Liquibase's lock table with its one row, unless there, without ever deleting a row. Liquibase's own first
     * start counts the rows, then deletes them and inserts one: on a shared database, a controller that counted none
     * a moment before another inserted, locked and committed deletes that locked row, and both go on as holders of the
     * lock (PostgreSQL then tells the first, releasing it, "0 rows were updated"). A table with its row, Liquibase
     * leaves as it is.
     */
    static void createLockTable(Connection connection) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try (Statement statement = connection.createStatement()) {
                // Liquibase's own definition, which it finds as it expects
                statement.execute("CREATE TABLE IF NOT EXISTS databasechangeloglock (id INT NOT NULL PRIMARY KEY,"
                        + " locked BOOLEAN NOT NULL, lockgranted TIMESTAMP, lockedby VARCHAR(255))");
                statement.executeUpdate("INSERT INTO databasechangeloglock (id, locked) SELECT 1, FALSE"
                        + " WHERE NOT EXISTS (SELECT 1 FROM databasechangeloglock WHERE id = 1)");
                return;
            } catch (SQLException e) {
                // controllers creating it at once: all but one are told that the table, or its row, exists already
                if (attempt >= LOCK_RACES) {
                    throw e;
                }
                LOGGER.debug("Another controller created Liquibase's lock table as this one did", e);
            }
        }
    }

    /**
     * Whether the database is an embedded H2 file or memory database: one process opens such a file at a time (H2
     * locks it), unless {@code AUTO_SERVER} lets others in; a server's database (H2's TCP server, PostgreSQL) is shared.
     */
    static boolean ownedByThisProcess(Connection connection) throws SQLException {
        DatabaseMetaData metadata = connection.getMetaData();
        String url = metadata.getURL().toLowerCase(Locale.ROOT);
        return "H2".equalsIgnoreCase(metadata.getDatabaseProductName()) && !url.startsWith("jdbc:h2:tcp:")
                && !url.startsWith("jdbc:h2:ssl:") && !url.replace(" ", "").contains("auto_server=true");
    }

    /**
     * Creates DATABASECHANGELOG, if missing, under Liquibase's lock: its update creates it before it takes the lock, and
     * controllers started together on a database without it would all create it, all but one failing.
     */
    private static void createHistoryLocked(Database database) throws LiquibaseException {
        LockService lock = LockServiceFactory.getInstance().getLockService(database);
        lock.waitForLock();
        try {
            Scope.getCurrentScope().getSingleton(ChangeLogHistoryServiceFactory.class).getChangeLogService(database)
                    .init();
        } finally {
            lock.releaseLock();
        }
    }

    /**
     * Whether DATABASECHANGELOG records every changeset of the changelog as run, by its id and author: Liquibase would
     * then run nothing, and is not started (its start alone is about a second of a controller's restart on two cores,
     * bench/README.md). A changeset is recorded only once its transaction committed, so a migration still running
     * elsewhere is not taken for done; a new changeset, an inventory of an older Fleetup or one without
     * DATABASECHANGELOG goes to Liquibase.
     */
    static boolean everyChangeSetRecorded(Connection connection) throws SQLException {
        if (!hasTable(connection, "databasechangelog")) {
            return false;
        }
        Set<String> recorded = new HashSet<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, author FROM databasechangelog WHERE filename = ?")) {
            select.setString(1, CHANGELOG);
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    recorded.add(row.getString(1) + "::" + row.getString(2));
                }
            }
        }
        Set<String> changeSets = changeSets();
        return !changeSets.isEmpty() && recorded.containsAll(changeSets);
    }

    /** The changesets of {@link #CHANGELOG}, each as {@code id::author}. */
    static Set<String> changeSets() throws SQLException {
        try (InputStream changelog = Schema.class.getClassLoader().getResourceAsStream(CHANGELOG)) {
            if (changelog == null) {
                throw new SQLException(CHANGELOG + " is missing from the inventory bundle");
            }
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            NodeList found = factory.newDocumentBuilder().parse(changelog).getElementsByTagNameNS("*", "changeSet");
            Set<String> changeSets = new HashSet<>();
            for (int i = 0; i < found.getLength(); i++) {
                Element changeSet = (Element) found.item(i);
                changeSets.add(changeSet.getAttribute("id") + "::" + changeSet.getAttribute("author"));
            }
            return changeSets;
        } catch (IOException | ParserConfigurationException | SAXException e) {
            throw new SQLException("Could not read " + CHANGELOG + ": " + e.getMessage(), e);
        }
    }

    /** Whether the database has the table of schema versions: H2 names it in capitals, PostgreSQL in lower case. */
    private static boolean hasVersions(Connection connection) throws SQLException {
        return hasTable(connection, "schema_version");
    }

    private static boolean hasTable(Connection connection, String name) throws SQLException {
        try (ResultSet tables = connection.getMetaData().getTables(null, connection.getSchema(), null,
                new String[] {"TABLE"})) {
            while (tables.next()) {
                if (name.equalsIgnoreCase(tables.getString("TABLE_NAME"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int recordedVersion(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT MAX(version) FROM schema_version");
             ResultSet row = select.executeQuery()) {
            row.next();
            return row.getInt(1);
        }
    }
}
