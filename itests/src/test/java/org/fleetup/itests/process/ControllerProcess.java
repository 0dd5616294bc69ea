package org.fleetup.itests.process;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.awaitility.core.ConditionTimeoutException;
import org.fleetup.testing.LoopbackPorts;

/**
 * The Fleetup distribution as an operator runs it: unpacked into a directory of its own, started as a real process
 * ({@code bin/karaf daemon}, which execs the JVM, so the process handle is the controller's JVM), driven through its
 * SSH console with the OpenSSH client, as a script would, and stopped or killed ({@code SIGKILL}) by that handle only.
 * Started again in the same directory, it is the same controller after a restart: same etc/, same data/.
 */
public final class ControllerProcess implements AutoCloseable {

    /**
     * A first start resolves and installs some 300 bundles: under a minute here alone, but over two minutes once while
     * benchmarks shared the two cores (MirrorIT's primary, which then passed alone in 59 s).
     */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(240);
    /**
     * One look at the console while the controller boots. A session opened while a feature refreshes Karaf's shell
     * can stay open with nothing ever answered; the boot's wait must not hang on it, but end it and look again.
     */
    private static final Duration BOOT_ATTEMPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "fleetup-test";
    private static final String NO_ANSWER = "(no answer in time)";

    private final Path home;
    private final int consolePort;
    private final int httpPort;
    private final Path consoleKey;
    private final Path knownHosts;
    private Process process;

    private ControllerProcess(Path home, int consolePort, int httpPort, Path consoleKey, Path knownHosts) {
        this.home = home;
        this.consolePort = consolePort;
        this.httpPort = httpPort;
        this.consoleKey = consoleKey;
        this.knownHosts = knownHosts;
    }

    /** Unpacks the distribution the build made into {@code directory}, with a console of the test's own. */
    public static ControllerProcess unpack(Path directory) throws IOException {
        Path archive = Path.of(System.getProperty("fleetup.distribution"));
        Path home = Files.createDirectories(directory).toAbsolutePath();
        untar(archive, home);
        int port = LoopbackPorts.free();
        Path shellConfig = home.resolve("etc/org.apache.karaf.shell.cfg");
        Files.writeString(shellConfig, Files.readString(shellConfig)
                .replaceAll("(?m)^sshPort\\s*=.*$", "sshPort = " + port)
                .replaceAll("(?m)^sshHost\\s*=.*$", "sshHost = 127.0.0.1"));
        // Karaf's HTTP server (the REST API) on a port of its own too: other instances may run at the same time.
        int httpPort = LoopbackPorts.free();
        Path httpConfig = home.resolve("etc/org.ops4j.pax.web.cfg");
        Files.writeString(httpConfig, Files.readString(httpConfig).replaceAll(
                "(?m)^org\\.osgi\\.service\\.http\\.port\\s*=.*$", "org.osgi.service.http.port = " + httpPort));
        // Karaf's JMX connector too (RMI registry and server): several instances may run on one host.
        Path management = home.resolve("etc/org.apache.karaf.management.cfg");
        if (Files.exists(management)) {
            Files.writeString(management, Files.readString(management)
                    .replaceAll("(?m)^rmiRegistryPort\\s*=.*$", "rmiRegistryPort = " + LoopbackPorts.free())
                    .replaceAll("(?m)^rmiServerPort\\s*=.*$", "rmiServerPort = " + LoopbackPorts.free())
                    .replaceAll("(?m)^rmiRegistryHost\\s*=.*$", "rmiRegistryHost = 127.0.0.1")
                    .replaceAll("(?m)^rmiServerHost\\s*=.*$", "rmiServerHost = 127.0.0.1"));
        }
        // The console's login for the test: a key of its own, in the admin group; Karaf's host key made here, pinned.
        Path key = home.resolve("test-console-key");
        keygen(key);
        String publicKey = Files.readString(Path.of(key + ".pub")).split("\\s+")[1];
        Files.writeString(home.resolve("etc/keys.properties"), "\n" + USER + "=" + publicKey + ",_g_:admingroup\n",
                StandardOpenOption.APPEND);
        Path hostKey = home.resolve("etc/host.key");
        Files.deleteIfExists(hostKey);
        // Karaf reads its host key in PEM form.
        keygen(hostKey, "-m", "PEM");
        Path knownHosts = home.resolve("test-known-hosts");
        String[] hostPublic = Files.readString(Path.of(hostKey + ".pub")).split("\\s+");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + hostPublic[0] + " " + hostPublic[1] + "\n");
        return new ControllerProcess(home, port, httpPort, key, knownHosts);
    }

    public Path home() {
        return home;
    }

    /** Its base URL on Karaf's HTTP port (the REST API, the patch server, the mirror API), as agents type it. */
    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    /** Starts the controller and returns once its console answers fleet commands. */
    public ControllerProcess start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the controller in " + home + " runs already (pid " + process.pid() + ")");
        }
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/karaf").toString(), "daemon")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("console.out").toFile()));
        Map<String, String> environment = builder.environment();
        environment.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        process = builder.start();
        AtomicReference<String> lastAnswer = new AtomicReference<>("(none yet)");
        Path ready = home.resolve("data/console.ready");
        try {
            // As ./fleetup start does: no login before the console is ready. Logins every half second from the JVM's
            // start met Karaf's features refreshing the JAAS modules, after which, twice in CI, the console answered
            // nothing to any login for four minutes ("Unable to send security auditing EventAdmin events" in its log).
            String pid = Long.toString(process.pid());
            await("the controller's data/console.ready in " + home).atMost(BOOT_TIMEOUT)
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        stillStarting();
                        return Files.exists(ready) && Files.readString(ready).strip().equals(pid);
                    });
            await("the controller's console in " + home).atMost(BOOT_TIMEOUT).pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        stillStarting();
                        Result answer = console(BOOT_ATTEMPT_TIMEOUT, "fleet:transport-list");
                        lastAnswer.set(answer.output().isBlank()
                                ? "(none; the console's port " + consolePort + " " + listening() + ")"
                                : answer.output());
                        return answer.output().contains("ssh");
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the controller (pid " + process.pid() + ") did not answer fleet commands within "
                    + BOOT_TIMEOUT.toSeconds() + " s; its console's last answer: " + oneLine(lastAnswer.get())
                    + "; its log's last line: " + oneLine(lastLine(home.resolve("data/log/karaf.log")))
                    + "; its log's last warning: " + oneLine(lastWarning(home.resolve("data/log/karaf.log")))
                    + "; data/console.ready: " + (Files.exists(ready) ? oneLine(Files.readString(ready)) : "absent")
                    + "; its threads: " + threadDump(), e);
        }
        return this;
    }

    private void stillStarting() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("the controller ended while it started: "
                    + Files.readString(home.resolve("console.out")));
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** What a console command printed, and whether Karaf reported an error. */
    public record Result(String output, boolean failed) {
    }

    /** Runs command lines on the console, as {@code ssh -p PORT user@127.0.0.1 'a; b'} would. */
    public Result console(String... lines) throws IOException, InterruptedException {
        Result result = console(COMMAND_TIMEOUT, lines);
        if (result.output().endsWith(NO_ANSWER)) {
            throw new AssertionError("'" + String.join("; ", lines) + "' did not end within "
                    + COMMAND_TIMEOUT.toSeconds() + " s");
        }
        return result;
    }

    /** The console's answer, or, once {@code timeout} has passed, what it printed so far and {@link #NO_ANSWER}. */
    private Result console(Duration timeout, String... lines) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ssh", "-q", "-T", "-F", "/dev/null", "-i",
                consoleKey.toString(), "-p", Integer.toString(consolePort), "-o", "BatchMode=yes", "-o",
                "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=10", USER + "@127.0.0.1", String.join("; ", lines)));
        // Into a file, not a pipe: a session that never ends must not hold the reader past the timeout.
        Path printed = Files.createTempFile(home, "console", ".out");
        try {
            Process ssh = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(printed.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            boolean ended = ssh.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
            if (!ended) {
                ssh.destroyForcibly();
                ssh.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            String output = new String(Files.readAllBytes(printed), StandardCharsets.UTF_8) + (ended ? "" : NO_ANSWER);
            boolean failed = !ended || ssh.exitValue() != 0 || output.contains("Error executing command");
            System.err.println("fleetup$ " + String.join("; ", lines) + "\n" + output);
            return new Result(output, failed);
        } finally {
            Files.deleteIfExists(printed);
        }
    }

    /** Runs command lines that must succeed; returns what they printed. */
    public String ok(String... lines) throws IOException, InterruptedException {
        Result result = console(lines);
        if (result.failed()) {
            throw new AssertionError("'" + String.join("; ", lines) + "' failed:\n" + result.output());
        }
        return result.output();
    }

    /** {@code kill -9} of the controller's JVM: no shutdown hook, nothing flushed, as a crash or a power cut. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the controller (pid " + process.pid() + ") outlived SIGKILL");
        }
    }

    /** A clean stop (SIGTERM: Karaf's shutdown), then SIGKILL if it does not end in time. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void untar(Path archive, Path home) throws IOException {
        try (InputStream file = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(file))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                // The archive's top directory is fleetup-distribution-<version>/: strip it.
                String name = entry.getName();
                int slash = name.indexOf('/');
                if (slash < 0 || slash == name.length() - 1) {
                    continue;
                }
                Path target = home.resolve(name.substring(slash + 1)).normalize();
                if (!target.startsWith(home)) {
                    throw new IOException("the distribution holds an entry outside its directory: " + name);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    if ((entry.getMode() & 0100) != 0) {
                        target.toFile().setExecutable(true, false);
                    }
                }
            }
        }
    }

    private static void keygen(Path key, String... format) throws IOException {
        List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "",
                "-C", "fleetup-itest", "-f", key.toString()));
        command.addAll(List.of(format));
        try {
            Process keygen = new ProcessBuilder(command).redirectErrorStream(true).start();
            String printed = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!keygen.waitFor(30, TimeUnit.SECONDS) || keygen.exitValue() != 0) {
                throw new IOException("ssh-keygen failed: " + printed);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String oneLine(String text) {
        String line = text.strip().replaceAll("\\s*\\R\\s*", " | ");
        return line.length() > 300 ? line.substring(line.length() - 300) : line;
    }

    private static String lastLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        List<String> lines = lines(file);
        return lines.isEmpty() ? "(empty)" : lines.get(lines.size() - 1);
    }

    /** The last WARN or ERROR of Karaf's log, with the line after it (an exception's message), or "(none)". */
    private static String lastWarning(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no " + file + ")";
        }
        List<String> lines = lines(file);
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains("| WARN ") || lines.get(i).contains("| ERROR ")) {
                return String.join(" ", lines.subList(i, Math.min(i + 2, lines.size())));
            }
        }
        return "(none)";
    }

    private static List<String> lines(Path file) throws IOException {
        // Decoded leniently: a stray byte in the log must not hide why the boot timed out.
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    }

    /** Whether something accepts connections on the console's port: ssh -q prints nothing when nothing does. */
    private String listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), consolePort), 5_000);
            return "accepts connections";
        } catch (IOException e) {
            return "does not accept connections (" + e.getMessage() + ")";
        }
    }

    /** The controller's threads, written beside its log by {@code jcmd}; the file's name, for the message. */
    private String threadDump() throws IOException, InterruptedException {
        Path dump = home.resolve("data/log/threads-at-timeout.txt");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), "Thread.print")
                .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        System.err.println(Files.readString(dump));
        return dump.toString();
    }

    /** The controller's log, for a failing test's message. */
    public String log() throws IOException {
        Path log = home.resolve("data/log/karaf.log");
        return Files.exists(log) ? Files.readString(log) : "(no log at " + log + ")";
    }
}
