package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.io.file.PathUtils;
import org.fleetup.testing.PostgresqlServer;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Inventory databases for tests, one per test directory: real H2 files under it (the default), or, with
 * {@code -Dfleetup.test.database=postgresql} (the inventory's second test run), a database of its own in a real
 * PostgreSQL server. The server is one cluster for the whole run, made by the first test that needs it and stopped,
 * by its PID, when the test JVM ends.
 */
final class TestDatabases {

    static final String USER = "fleetup";
    static final String PASSWORD = "test-password";

    /** The database under test: {@code h2} or {@code postgresql}. */
    static final String DATABASE = System.getProperty("fleetup.test.database", "h2");

    private TestDatabases() {
    }

    /** Whether the tests run on H2, the embedded default. */
    static boolean h2() {
        return !postgresql();
    }

    static boolean postgresql() {
        return "postgresql".equals(DATABASE);
    }

    /**
     * {@code instant} as the database under test keeps it: to the nanosecond in H2 (TIMESTAMP(9)), to the microsecond
     * in PostgreSQL, its finest.
     */
    static Instant kept(Instant instant) {
        return postgresql() ? instant.truncatedTo(ChronoUnit.MICROS) : instant;
    }

    static String url(Path dir) {
        if (postgresql()) {
            return Cluster.database(dir);
        }
        return "jdbc:h2:file:" + dir.resolve("inventory").resolve("fleetup");
    }

    static Path file(Path dir) {
        return dir.resolve("inventory").resolve("fleetup.mv.db");
    }

    static InventoryDatabase open(Path dir) {
        return open(url(dir), USER, PASSWORD);
    }

    /**
     * The inventory over a pool of the test's own, as pax-jdbc-config gives it one in Karaf: H2's pool over either
     * driver's own data source (PostgreSQL's in its class of its own, loaded for a PostgreSQL URL only); closing the
     * inventory disposes of the pool, and H2 then closes its file.
     */
    static InventoryDatabase open(String url, String user, String password) {
        JdbcConnectionPool pool = url.startsWith("jdbc:postgresql:") ? JdbcConnectionPool.create(
                PostgresqlSource.create(url, user, password)) : JdbcConnectionPool.create(url, user, password);
        pool.setMaxConnections(4);
        return new InventoryDatabase(pool, url, pool::dispose);
    }

    /** A connection of the test's own, beside the inventory's: to write what another Fleetup would have. */
    static Connection connect(Path dir) throws SQLException {
        return DriverManager.getConnection(url(dir), USER, PASSWORD);
    }

    /** The run's PostgreSQL server, and the databases made in it so far. */
    private static final class Cluster {

        private static final Map<String, String> CREATED = new ConcurrentHashMap<>();
        private static final PostgresqlServer SERVER;
        /** Why there is no server: told to every test, not only to the first. */
        private static final RuntimeException UNAVAILABLE;

        static {
            PostgresqlServer server = null;
            RuntimeException unavailable = null;
            try {
                server = start();
            } catch (RuntimeException e) {
                unavailable = e;
            }
            SERVER = server;
            UNAVAILABLE = unavailable;
        }

        private static PostgresqlServer start() {
            try {
                Path directory = Files.createTempDirectory("fleetup-inventory-postgresql");
                PostgresqlServer server;
                try {
                    server = PostgresqlServer.start(directory);
                } catch (IOException | RuntimeException e) {
                    PathUtils.deleteDirectory(directory);
                    throw e;
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    server.close();
                    try {
                        PathUtils.deleteDirectory(directory);
                    } catch (IOException e) {
                        System.err.println("Could not delete " + directory + ": " + e);
                    }
                }, "postgresql-stop"));
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot start PostgreSQL for the inventory's tests", e);
            }
        }

        /** The URL of the database of {@code dir}, made at its first use. */
        static String database(Path dir) {
            if (SERVER == null) {
                throw new IllegalStateException("No PostgreSQL for the inventory's tests: " + UNAVAILABLE.getMessage(),
                        UNAVAILABLE);
            }
            // threads of one test asking together wait for the one that makes it
            return CREATED.computeIfAbsent("t_" + digest(dir.toAbsolutePath().toString()), name -> {
                try {
                    SERVER.createDatabase(name);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return SERVER.jdbcUrl(name);
            });
        }

        private static String digest(String text) {
            try {
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(hash, 0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
