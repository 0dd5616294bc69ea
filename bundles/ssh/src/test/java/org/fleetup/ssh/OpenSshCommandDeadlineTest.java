package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commands on a real OpenSSH sshd, which does not signal a command without a terminal when its channel closes (the
 * simulator, unlike it, kills what a closed channel started): a command past its deadline is killed on the server
 * with everything it started, and a command that ends in time is left exactly as it was. Once on a server with the
 * usual tools, once on one whose shell and tools are BusyBox's only.
 */
class OpenSshCommandDeadlineTest {

    private static final ServerTrust TRUST = ServerTrust.inMemory();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(1500);
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private static final Map<String, OpenSshServer> SERVERS = new LinkedHashMap<>();
    private static final AtomicInteger RUNS = new AtomicInteger();

    @TempDir
    static Path directory;

    private static SshTransport transport;

    @BeforeAll
    static void startServers() throws IOException {
        assumeTrue(OpenSshServer.available(new OpenSshServer.Options().busyBoxOnly()),
                "openssh-server or busybox is not installed");
        SERVERS.put("OpenSSH", OpenSshServer.start(directory.resolve("plain"),
                new OpenSshServer.Options().name("deadline-plain")));
        SERVERS.put("OpenSSH with BusyBox only", OpenSshServer.start(directory.resolve("busybox"),
                new OpenSshServer.Options().name("deadline-busybox").busyBoxOnly()));
        transport = new SshTransport(SshSettings.defaults().withSessionReuse(Duration.ZERO, 1), TRUST);
    }

    @AfterAll
    static void stopServers() {
        if (transport != null) {
            transport.close();
        }
        SERVERS.values().forEach(OpenSshServer::close);
    }

    static Stream<String> servers() {
        return Stream.of("OpenSSH", "OpenSSH with BusyBox only");
    }

    /** The record of {@code server}, its host key trusted. */
    private static Server record(OpenSshServer server) {
        return trusted(TRUST, server);
    }

    /** A directory of its own in the server's root for one run of one test. */
    private static Path workDirectory(OpenSshServer server) throws IOException {
        return Files.createDirectory(server.root().resolve("run-" + RUNS.incrementAndGet()));
    }

    private static long pid(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    /** Alive and not a zombie, read where the kernel says it: the sshd runs on this machine. */
    private static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void commandPastItsDeadlineIsKilledOnTheServerWithWhatItStarted(String kind) throws Exception {
        OpenSshServer server = SERVERS.get(kind);
        Path work = workDirectory(server);
        Path out = work.resolve("out");
        String command = "cd " + work.getFileName() + " && sh -c 'echo $$ > command.pid;"
                + " (while :; do date >> out; sleep 0.2; done) & echo $! > loop.pid; wait'";

        try (Session session = transport.connect(record(server))) {
            assertTimeoutPreemptively(SHORT_DEADLINE.plus(COMMAND_TIMEOUT), () ->
                    assertThatThrownBy(() -> session.execute(command, SHORT_DEADLINE))
                            .isInstanceOfSatisfying(FleetupException.class,
                                    e -> assertThat(e.code()).isEqualTo(FleetupException.COMMAND_TIMEOUT))
                            .hasMessageContaining(server.name())
                            .hasMessageContaining("1500 ms")
                            .hasMessageContaining("killed on the server, with every process it started"));
        }

        long command1 = pid(work.resolve("command.pid"));
        long loop = pid(work.resolve("loop.pid"));
        await("the command and its background loop ended").atMost(SETTLE)
                .until(() -> !running(command1) && !running(loop));
        long written = Files.size(out);
        await("nothing writes to " + out + " any more").during(Duration.ofSeconds(1)).atMost(SETTLE)
                .until(() -> Files.size(out) == written);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void commandThatEndsInTimeLeavesNoProcessBehind(String kind) throws Exception {
        OpenSshServer server = SERVERS.get(kind);
        try (Session session = transport.connect(record(server))) {
            session.execute("true", COMMAND_TIMEOUT);
            Set<Long> connectionOnly = new HashSet<>(server.descendants());

            CommandResult result = session.execute("sleep 0.3; echo done", COMMAND_TIMEOUT);

            assertThat(result.stdout()).isEqualTo("done\n");
            await("only the connection's own processes are left").atMost(SETTLE)
                    .until(() -> new HashSet<>(server.descendants()).equals(connectionOnly));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void commandKeepsItsOutputAndExitCode(String kind) {
        OpenSshServer server = SERVERS.get(kind);
        try (Session session = transport.connect(record(server))) {
            CommandResult result = session.execute("printf 'out\\n'; printf 'err\\n' >&2; printf 'tail'; exit 3",
                    COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.stdout()).isEqualTo("out\ntail");
            assertThat(result.stderr()).isEqualTo("err\n");
        }
    }

    /**
     * OpenSSH sends the exit status once it reaps the command, while the last of its output may still be in the pipe:
     * under load the tail of a command's output was lost (seen as an empty {@code pwd -P}, an empty {@code df}). Here
     * the tail comes, deterministically, from a process the command left, after the exit status.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void outputArrivingAfterTheExitStatusIsKept(String kind) {
        OpenSshServer server = SERVERS.get(kind);
        try (Session session = transport.connect(record(server))) {
            CommandResult result = session.execute("(sleep 0.5; printf tail) & printf head", COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo("headtail");
        }
    }

    /** A process left holding the output (a daemon started carelessly) does not hold the command to its deadline. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void processLeftHoldingTheOutputDoesNotHoldTheCommand(String kind) throws IOException {
        OpenSshServer server = SERVERS.get(kind);
        Path work = workDirectory(server);
        try (Session session = transport.connect(record(server))) {
            CommandResult result = session.execute("cd " + work + " && { sleep 60 & echo $! > left.pid; }; printf done",
                    COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).isEqualTo("done");
        } finally {
            ProcessHandle.of(pid(work.resolve("left.pid"))).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * sshd may send a command's exit status before the rest of its output (it reports the exit as soon as it sees
     * it, while the pipe still holds data): the whole output is read all the same, every time.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void outputSentAfterTheExitStatusIsNotLost(String kind) {
        OpenSshServer server = SERVERS.get(kind);
        try (Session session = transport.connect(record(server))) {
            for (int run = 0; run < 150; run++) {
                CommandResult result = session.execute("echo begin; df -P -k .; echo end", COMMAND_TIMEOUT);

                assertThat(result.stdout()).as("run %d", run).startsWith("begin\n").contains("Filesystem")
                        .endsWith("end\n");
            }
        }
    }

    /**
     * The same at once, as a rollout runs them: many connections, each running short commands one after another, the
     * machine's two cores loaded by them and their sshd; every output is read whole.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void manyShortCommandsAtOnceAllKeepTheirWholeOutput(String kind) throws Exception {
        OpenSshServer server = SERVERS.get(kind);
        int connections = 12;
        int commands = 40;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<List<String>>> runs = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int connection = c;
                runs.add(pool.submit(() -> {
                    List<String> wrong = new ArrayList<>();
                    try (Session session = transport.connect(record(server))) {
                        for (int run = 0; run < commands; run++) {
                            String stdout = session.execute("echo begin " + connection + "." + run
                                    + "; df -P -k .; echo end " + connection + "." + run, COMMAND_TIMEOUT).stdout();
                            String begin = "begin " + connection + "." + run + "\n";
                            String end = "end " + connection + "." + run + "\n";
                            if (!stdout.startsWith(begin) || !stdout.contains("Filesystem") || !stdout.endsWith(end)) {
                                wrong.add(connection + "." + run + ": '" + stdout + "'");
                            }
                        }
                    }
                    return wrong;
                }));
            }
            List<String> wrong = new ArrayList<>();
            for (Future<List<String>> run : runs) {
                wrong.addAll(run.get(2, TimeUnit.MINUTES));
            }

            assertThat(wrong).as("commands whose output came back cut or empty, of " + connections * commands)
                    .isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void commandReadingItsInputSeesItEndAtOnce(String kind) {
        OpenSshServer server = SERVERS.get(kind);
        try (Session session = transport.connect(record(server))) {
            CommandResult result = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> session.execute("cat; echo \"$# args\"", COMMAND_TIMEOUT));

            assertThat(result.stdout()).isEqualTo("0 args\n");
            assertThat(result.stderr()).isEmpty();
        }
    }
}
