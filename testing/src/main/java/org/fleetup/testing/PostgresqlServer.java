package org.fleetup.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server on 127.0.0.1, of the test's own: a cluster made by {@code initdb} under the test's
 * directory, its own port, its Unix socket in that directory, and trust authentication for 127.0.0.1 only. The
 * postmaster is this object's own child process; it is stopped by {@code pg_ctl stop -m fast} on its data directory,
 * and waited for by its own process handle, never by a broad kill.
 *
 * <p>PostgreSQL refuses to run as root: when the tests run as root, every PostgreSQL program runs as the
 * {@code postgres} user that Debian's package creates, through {@code setpriv}, and the cluster's directory is given to
 * that user.
 */
public final class PostgresqlServer implements AutoCloseable {

    /** The superuser the cluster is made with: the tests log in as it. */
    public static final String USER = "fleetup";

    /** A system property naming the directory of PostgreSQL's programs, where they are not in a usual place. */
    public static final String BIN_PROPERTY = "fleetup.postgresql.bin";

    private static final String RUN_AS = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final String READY = "database system is ready to accept connections";

    private final Path bin;
    private final Path data;
    private final int port;
    private final Process process;
    private Thread logPump;

    private PostgresqlServer(Path bin, Path data, int port, Process process) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.process = process;
    }

    /**
     * The directory of {@code initdb}, {@code postgres}, {@code pg_ctl} and {@code psql}: the one the system property
     * {@value #BIN_PROPERTY} names, else Debian's newest {@code /usr/lib/postgresql/<major>/bin}, else
     * {@code /usr/local/bin} or {@code /usr/bin}; {@code null} when none holds all four.
     */
    public static Path binaries() {
        List<Path> candidates = new ArrayList<>();
        String chosen = System.getProperty(BIN_PROPERTY, "");
        if (!chosen.isBlank()) {
            return hasAll(Path.of(chosen)) ? Path.of(chosen) : null;
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> majors = Files.list(debian)) {
                majors.filter(p -> p.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString()))
                                .reversed())
                        .map(p -> p.resolve("bin"))
                        .forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + debian, e);
            }
        }
        candidates.add(Path.of("/usr/local/bin"));
        candidates.add(Path.of("/usr/bin"));
        return candidates.stream().filter(PostgresqlServer::hasAll).findFirst().orElse(null);
    }

    private static boolean hasAll(Path dir) {
        return Stream.of("initdb", "postgres", "pg_ctl", "psql").allMatch(tool -> Files.isExecutable(dir.resolve(tool)));
    }

    /** Whether this machine can run one: Debian's {@code postgresql} package, or the same programs elsewhere. */
    public static boolean available() {
        return binaries() != null;
    }

    /** Makes a cluster under {@code directory}, starts it, and returns once it accepts connections. */
    public static PostgresqlServer start(Path directory) throws IOException {
        Path bin = binaries();
        if (bin == null) {
            throw new IllegalStateException("PostgreSQL is not installed here (initdb, postgres, pg_ctl and psql under"
                    + " /usr/lib/postgresql/<major>/bin, or in the directory -D" + BIN_PROPERTY + " names): apt-get"
                    + " install postgresql, as .ci/run does");
        }
        Path dir = Files.createDirectories(directory).toAbsolutePath();
        Path data = dir.resolve("data");
        Path sockets = Files.createDirectories(dir.resolve("sockets"));
        if (asRoot()) {
            letOthersTraverse(dir);
            UserPrincipal owner;
            try {
                owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(RUN_AS);
            } catch (UserPrincipalNotFoundException e) {
                throw new IllegalStateException("PostgreSQL refuses to run as root, and there is no user " + RUN_AS
                        + " to run it as: apt-get install postgresql makes it (or useradd --system " + RUN_AS + ")", e);
            }
            Files.setOwner(sockets, owner);
            Files.createDirectories(data);
            Files.setOwner(data, owner);
        }
        run(bin, "initdb", List.of("-D", data.toString(), "-U", USER, "--auth=trust", "--encoding=UTF8",
                "--locale=C", "--no-sync"));
        Files.write(data.resolve("pg_hba.conf"), List.of(
                "# A test's own cluster: the socket in its directory, and 127.0.0.1, without a password.",
                "local all all trust",
                "host all all 127.0.0.1/32 trust"));
        int port = LoopbackPorts.free();
        List<String> command = new ArrayList<>(asUser());
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", data.toString(), "-p", String.valueOf(port),
                "-k", sockets.toString(), "-c", "listen_addresses=127.0.0.1",
                // A test's data need not survive a power cut: no flush to disk, so tests do not wait for one.
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=200", "-c", "logging_collector=off"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        PostgresqlServer server = new PostgresqlServer(bin, data, port, process);
        try {
            server.awaitReady(dir.resolve("postgresql.log"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Copies what the postmaster prints to a log file, and returns once it says that it accepts connections. */
    private void awaitReady(Path log) throws IOException {
        logPump = ReadyLine.follow(process, log, line -> line.contains(READY), "postgres",
                "accept connections on 127.0.0.1:" + port, START_TIMEOUT);
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The superuser to log in as, with no password. */
    public String user() {
        return USER;
    }

    /** The postmaster's process id. */
    public long pid() {
        return process.pid();
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** Creates an empty database, owned by {@link #USER}. */
    public void createDatabase(String name) throws IOException {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("Not a plain database name: " + name);
        }
        psql("postgres", "CREATE DATABASE " + name);
    }

    /** Runs SQL with PostgreSQL's own client, over TCP, and returns what it printed (unaligned, tuples only). */
    public String psql(String database, String sql) throws IOException {
        Process psql = new ProcessBuilder(bin.resolve("psql").toString(), "-X", "-q", "-A", "-t",
                "-v", "ON_ERROR_STOP=1", "-h", host(), "-p", String.valueOf(port), "-U", USER, "-d", database,
                "-c", sql).redirectErrorStream(true).start();
        psql.getOutputStream().close();
        String printed = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (waitFor(psql, "psql") != 0) {
            throw new IOException("psql failed on " + database + " for " + sql + ": " + printed);
        }
        return printed;
    }

    /** What the server logged so far. */
    public String log() throws IOException {
        Path log = data.resolveSibling("postgresql.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Stops the server as its own tool does ({@code pg_ctl stop -m fast}: sessions ended, a clean shutdown), then
     * waits for this postmaster by its handle; one that outlives the wait is killed, by its handle.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                run(bin, "pg_ctl", List.of("stop", "-D", data.toString(), "-m", "fast", "-w", "-t",
                        String.valueOf(STOP_TIMEOUT.toSeconds())));
            } catch (IOException e) {
                // the wait below, then the kill, still stop it
            }
        }
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            if (logPump != null) {
                logPump.join(STOP_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The postgres user must reach its directories: a test's temporary directory is root's, mode 700. Each directory
     * on the way that is root's gains the right to pass through it (not to list it).
     */
    private static void letOthersTraverse(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.getOwner(p).getName().equals("root")) {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(p);
                if (permissions.add(PosixFilePermission.OTHERS_EXECUTE)) {
                    Files.setPosixFilePermissions(p, permissions);
                }
            }
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The prefix that runs a program as the postgres user when the test is root; empty otherwise. */
    private static List<String> asUser() {
        return asRoot() ? List.of("setpriv", "--reuid=" + RUN_AS, "--regid=" + RUN_AS, "--init-groups", "--")
                : List.of();
    }

    private static void run(Path bin, String tool, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>(asUser());
        command.add(bin.resolve(tool).toString());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (waitFor(process, tool) != 0) {
            throw new IOException(tool + " failed: " + String.join(" ", command) + "\n" + printed);
        }
    }

    private static int waitFor(Process process, String what) throws IOException {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(what + " did not end within 60 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }
}
