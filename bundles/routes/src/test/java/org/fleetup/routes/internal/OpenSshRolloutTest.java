package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.ssh.SshSettings;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole rollout, through the engine and its routes, to real OpenSSH servers (one {@code sshd} each on 127.0.0.1,
 * each with its own root), where OpenSSH's own handling of channels decides what a hung command does: a command is
 * not signalled when its channel closes. One server's health check fails; three hang, each its own way: one accepts
 * TCP and never says a word, one's health command never returns, one's version command never returns. Each fails
 * alone within its deadline, the healthy servers beside them are all upgraded, and the rollout ends by itself; judged
 * from every server's own files.
 */
class OpenSshRolloutTest {

    private static final int HEALTHY = 10;
    /** The deadline of one command on a server: the health check, the version command. */
    private static final int COMMAND_SECONDS = 3;
    /** The deadline of the SSH handshake and login. */
    private static final Duration LOGIN = Duration.ofSeconds(2);
    /** What a server may take beyond a deadline that ends it: connecting, the steps before, the cleanup. */
    private static final Duration SLACK = Duration.ofSeconds(6);

    @TempDir
    Path dir;

    private TestController controller;
    private final List<OpenSshServer> sshds = new ArrayList<>();
    private ServerSocket silent;
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private Thread acceptor;

    @BeforeEach
    void open() {
        assumeTrue(OpenSshServer.available(new OpenSshServer.Options()), "OpenSSH's sshd is not installed");
        controller = new TestController(dir, new TestController.Tuning(Duration.ofSeconds(5),
                new SshSettings(LOGIN, LOGIN, Duration.ofSeconds(30), 64 * 1024),
                Map.of("commandTimeoutSeconds", COMMAND_SECONDS),
                Map.of("commandTimeoutSeconds", COMMAND_SECONDS)));
        controller.release("2.0.0");
    }

    @AfterEach
    void close() throws Exception {
        if (controller != null) {
            controller.close();
        }
        sshds.forEach(OpenSshServer::close);
        if (silent != null) {
            silent.close();
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        }
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Test
    void hungServersFailAloneWithinTheirDeadlinesAFailingOneIsRolledBackAndTheOthersAreUpgraded() throws Exception {
        // In the order of their names, the hung ones first: they take three of the four workers at once.
        OpenSshServer failing = sshd("fail-health", "exit 1");
        OpenSshServer hangingHealth = sshd("hang-health", "while :; do sleep 1; done");
        Server hangingTcp = silentServer("hang-tcp");
        OpenSshServer hangingVersion = sshd("hang-version", null);
        Path version = AppFiles.under(hangingVersion.root()).release("1.4.2").resolve("VERSION");
        Files.delete(version);
        mkfifo(version);
        List<OpenSshServer> healthy = new ArrayList<>();
        for (int i = 1; i <= HEALTHY; i++) {
            healthy.add(sshd(String.format("ok-%02d", i), null));
        }
        List<String> names = new ArrayList<>(sshds.stream().map(OpenSshServer::name).toList());
        names.add(hangingTcp.name());
        FleetRouting routing = controller.start();

        Instant started = Instant.now();
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", names, 4, null, false,
                "tester", new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100), OnError.PAUSE,
                        ServerOrder.NAME, 4, false)));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(ended.status()).as("ended by itself").isEqualTo(RolloutStatus.FINISHED);
        Map<String, RolloutServer> servers = routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
        assertThat(servers.values().stream().collect(Collectors.groupingBy(server -> ReportStatus.of(server).label(),
                Collectors.counting()))).isEqualTo(Map.of("upgraded", (long) HEALTHY, "rolled-back", 2L, "failed", 2L));

        for (OpenSshServer server : healthy) {
            assertThat(ReportStatus.of(servers.get(server.name())).label()).as(server.name()).isEqualTo("upgraded");
            AppFiles app = AppFiles.under(server.root());
            assertThat(app.current()).as(server.name()).isEqualTo("releases/2.0.0");
            assertThat(app.currentVersion()).isEqualTo("2.0.0");
            assertThat(app.filesNotMatchingTheirManifest("2.0.0")).as(server.name()).isEmpty();
            assertThat(app.releases()).containsExactly("1.4.2", "2.0.0");
            assertThat(app.leftovers()).isEmpty();
        }

        assertThat(ReportStatus.of(servers.get(failing.name())).label()).isEqualTo("rolled-back");
        assertThat(servers.get(failing.name()).detail()).contains("health check failed with exit code 1")
                .contains("rolled back to 1.4.2 (verified)");
        unchanged(failing);

        RolloutServer hungHealth = servers.get(hangingHealth.name());
        assertThat(ReportStatus.of(hungHealth).label()).isEqualTo("rolled-back");
        assertThat(hungHealth.detail()).contains("health check did not end within " + COMMAND_SECONDS + " s")
                .contains("rolled back to 1.4.2 (verified)");
        unchanged(hangingHealth);
        assertThat(took(rollout, hangingHealth.name())).as("a health check cut at its deadline, then the old one's")
                .isLessThan(Duration.ofSeconds(2L * COMMAND_SECONDS).plus(SLACK));

        RolloutServer hungTcp = servers.get(hangingTcp.name());
        assertThat(ReportStatus.of(hungTcp).label()).isEqualTo("failed");
        assertThat(hungTcp.detail()).contains("no SSH handshake within 2 s");
        assertThat(took(rollout, hangingTcp.name())).isLessThan(LOGIN.plus(SLACK));

        RolloutServer hungVersion = servers.get(hangingVersion.name());
        assertThat(ReportStatus.of(hungVersion).label()).isEqualTo("failed");
        assertThat(hungVersion.detail()).contains(COMMAND_SECONDS + " s");
        assertThat(took(rollout, hangingVersion.name())).isLessThan(Duration.ofSeconds(COMMAND_SECONDS).plus(SLACK));
        AppFiles stuck = AppFiles.under(hangingVersion.root());
        assertThat(stuck.current()).isEqualTo("releases/1.4.2");
        assertThat(stuck.releases()).containsExactly("1.4.2");
        assertThat(stuck.leftovers()).isEmpty();

        // Cut means cut: nothing the hung commands started still runs on those servers (OpenSSH would let it run).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(commandLines(hangingHealth))
                    .noneMatch(line -> line.contains("sleep") || line.contains("demo-app"));
            assertThat(commandLines(hangingVersion)).noneMatch(line -> line.contains("VERSION"));
        });

        // Never stalled: a healthy server was at work while the hung ones were, and ended before the last of them.
        Instant lastHungEnd = List.of(hangingHealth.name(), hangingTcp.name(), hangingVersion.name()).stream()
                .map(name -> last(rollout, name).at()).max(Instant::compareTo).orElseThrow();
        assertThat(healthy).anySatisfy(server -> assertThat(last(rollout, server.name()).at())
                .as(server.name() + " ended before the hung ones had all ended").isBefore(lastHungEnd));
        assertThat(Duration.between(started, Instant.now())).as("the whole rollout")
                .isLessThan(Duration.ofSeconds(60));
    }

    /** 1.4.2 runs, intact, as before; nothing of 2.0.0 is left. */
    private static void unchanged(OpenSshServer server) {
        AppFiles app = AppFiles.under(server.root());
        assertThat(app.current()).as(server.name()).isEqualTo("releases/1.4.2");
        assertThat(app.currentVersion()).isEqualTo("1.4.2");
        assertThat(app.filesNotMatchingTheirManifest("1.4.2")).isEmpty();
        assertThat(app.release("2.0.0")).as(server.name() + ": the failed release is gone").doesNotExist();
        assertThat(app.releases()).containsExactly("1.4.2");
        assertThat(app.leftovers()).isEmpty();
    }

    /** The command lines of what the server runs now: its sessions and every command they started. */
    private static List<String> commandLines(OpenSshServer server) {
        return server.descendants().stream().map(ProcessHandle::of).flatMap(Optional::stream)
                .map(handle -> handle.info().commandLine().orElse("")).toList();
    }

    private Duration took(Rollout rollout, String server) {
        List<StepRecord> history = controller.repository.history(rollout.id(), server);
        return Duration.between(history.get(0).at(), history.get(history.size() - 1).at());
    }

    private StepRecord last(Rollout rollout, String server) {
        List<StepRecord> history = controller.repository.history(rollout.id(), server);
        return history.get(history.size() - 1);
    }

    /**
     * An sshd with demo-app 1.4.2 under its root, in the inventory. With {@code unhealthy}, every release but 1.4.2
     * runs it when its health command starts: the demo application's launcher reads a hook in {@code $HOME}.
     */
    private OpenSshServer sshd(String name, String unhealthy) throws IOException {
        OpenSshServer server = OpenSshServer.start(dir.resolve("sshd").resolve(name),
                new OpenSshServer.Options().name(name));
        sshds.add(server);
        DemoApplication.install(server.root(), "1.4.2");
        if (unhealthy != null) {
            Path hook = server.root().resolve(DemoApplication.HEALTH_HOOK);
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, "if [ \"$demo_app_version\" != '1.4.2' ]; then\n"
                    + "  echo \"demo-app $demo_app_version: cannot start\" >&2\n  " + unhealthy + "\nfi\n",
                    StandardCharsets.UTF_8);
        }
        controller.inventory.addServers(List.of(new Server(name, "openssh",
                URI.create("ssh://127.0.0.1:" + server.port()), LoginSettings.of(server.user(),
                server.clientKey().toString()),
                Map.of())), Map.of(name, server.hostKey()));
        return server;
    }

    /** A server that accepts TCP connections on 127.0.0.1 and never sends a byte, in the inventory. */
    private Server silentServer(String name) throws IOException {
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            try {
                while (!silent.isClosed()) {
                    held.add(silent.accept());
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
        OpenSshServer anyKey = sshds.get(0);
        Server server = new Server(name, "openssh", URI.create("ssh://127.0.0.1:" + silent.getLocalPort()),
                LoginSettings.of(anyKey.user(), anyKey.clientKey().toString()), Map.of());
        controller.inventory.addServers(List.of(server), Map.of(name, anyKey.hostKey()));
        return server;
    }

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
            throw new UncheckedIOException(new IOException("mkfifo " + path + " failed: "
                    + new String(mkfifo.getInputStream().readAllBytes(), StandardCharsets.UTF_8)));
        }
    }
}
