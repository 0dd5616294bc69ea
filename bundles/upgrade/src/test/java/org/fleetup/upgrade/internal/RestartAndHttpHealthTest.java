package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpServer;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The profile's restart command and its health check by HTTP, run by the unit on real OpenSSH servers (GNU tools with
 * curl, and BusyBox only, with its wget), against a real HTTP server on 127.0.0.1 that answers from the server's own
 * files. Judged by those files and the unit's journal.
 */
class RestartAndHttpHealthTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    // A number no other test sleeps, so that its process is known as this test's.
    private static final int HUNG_SECONDS = 6174;

    @TempDir
    Path temp;

    private SshTransport transport;
    private HttpServer http;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startTransport() {
        transport = new SshTransport(SshSettings.defaults(), trust);
    }

    @AfterEach
    void stop() {
        transport.close();
        if (http != null) {
            http.stop(0);
        }
    }

    /** Runs after the switch, before the check, and again after the switch back, each time in the root. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void restartRunsAfterTheSwitchAndAgainAfterTheSwitchBack(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"),
                    Archives.demoFiles("2.0.0", "1.9.9"), false);
            String restart = "readlink current >> restarts.log";

            ServerOutcome outcome = install(sshd, profile(restart, "", ""), "2.0.0", archive, Duration.ofSeconds(30));

            ApplicationDirectory app = app(sshd);
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(Files.readAllLines(app.path().resolve("restarts.log")))
                    .containsExactly("releases/2.0.0", "releases/1.4.2");
            assertThat(app.current()).isEqualTo("releases/1.4.2");
            assertThat(app.unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                    .containsSubsequence("switched releases/2.0.0", "restart ok",
                            "health failed health check printed '1.9.9', expected 2.0.0", "switched releases/1.4.2",
                            "restart ok", "rolled-back"));
            assertThat(events).anySatisfy(event -> {
                assertThat(event.state()).isEqualTo(StepState.RESTARTING);
                assertThat(event.detail()).startsWith("running '" + restart + "' in " + app.path().toRealPath());
            });
            assertThat(app.leftovers()).isEmpty();
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void failingRestartRollsBackAsAFailingHealthCheck(boolean busyBoxOnly) {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            String restart = "if [ \"$(readlink current)\" = releases/2.0.0 ]; then echo 'port 8080 is in use' >&2; "
                    + "exit 3; fi";

            ServerOutcome outcome = install(sshd, profile(restart, "", ""), "2.0.0", archive, Duration.ofSeconds(30));

            ApplicationDirectory app = app(sshd);
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(outcome.detail()).startsWith("restart command failed with exit code 3: port 8080 is in use; "
                    + "rolled back to 1.4.2 (verified)");
            assertThat(app.current()).isEqualTo("releases/1.4.2");
            assertThat(app.answer()).isEqualTo("1.4.2");
            assertThat(app.release("2.0.0")).doesNotExist();
            assertThat(app.unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                    .doesNotContain("health ok"));
        }
    }

    /** A restart that never returns is killed at its own deadline, with what it started. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void hungRestartIsKilledAtItsDeadlineAndRolledBack(boolean busyBoxOnly) {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            String restart = "if [ \"$(readlink current)\" = releases/2.0.0 ]; then sleep " + HUNG_SECONDS + "; fi";

            ServerOutcome outcome = install(sshd, profile(restart, "", ""), "2.0.0", archive, Duration.ofSeconds(3));

            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(outcome.detail()).startsWith("restart command did not end within 3 s; rolled back to 1.4.2");
            assertThat(app(sshd).current()).isEqualTo("releases/1.4.2");
            assertThat(ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse(""))
                    .noneMatch(line -> line.endsWith(" " + HUNG_SECONDS))).isTrue();
        }
    }

    /** The body's first line must be the version switched to; the old one's after a switch back. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void healthUrlAnsweringTheVersionConfirmsTheRelease(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            String url = serve(sshd, running -> new Answer(200, running + "\nbuilt today\n"));
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

            // A health command that would fail: the URL is what is checked.
            ServerOutcome outcome = install(sshd, new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
                    "cat current/VERSION", "false", "semantic", ".busy", activation("", url, "")), "2.0.0", archive,
                    Duration.ofSeconds(30));

            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
            assertThat(app(sshd).current()).isEqualTo("releases/2.0.0");
            assertThat(app(sshd).leftovers()).isEmpty();
            assertThat(events).anySatisfy(event -> assertThat(event.detail())
                    .isEqualTo("fetching " + url + " on the server, expecting 2.0.0"));
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void healthUrlAnsweringAnErrorRollsBackNamingTheUrlAndTheStatus(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            String url = serve(sshd, running -> running.equals("2.0.0")
                    ? new Answer(503, "still starting\n") : new Answer(200, running + "\n"));
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

            ServerOutcome outcome = install(sshd, profile("", url, ""), "2.0.0", archive, Duration.ofSeconds(30));

            ApplicationDirectory app = app(sshd);
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(outcome.detail()).startsWith("health check GET " + url + " answered 503")
                    .contains("rolled back to 1.4.2 (verified)");
            // curl reads the body of an error; BusyBox's wget tells the status line instead.
            assertThat(outcome.detail()).contains(busyBoxOnly ? "503 Service Unavailable" : "read 'still starting'");
            assertThat(app.current()).isEqualTo("releases/1.4.2");
            assertThat(app.release("2.0.0")).doesNotExist();
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void healthUrlAnsweringOtherThanTheFixedTextExpectedRollsBack(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            String url = serve(sshd, running -> new Answer(200, running.equals("2.0.0") ? "degraded\n" : "ok\n"));
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

            ServerOutcome outcome = install(sshd, profile("", url, "ok"), "2.0.0", archive, Duration.ofSeconds(30));

            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(outcome.detail()).startsWith("health check GET " + url + " answered 200 with 'degraded', "
                    + "expected ok; rolled back to 1.4.2 (verified)");
            assertThat(app(sshd).current()).isEqualTo("releases/1.4.2");
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void healthUrlNobodyListensOnFailsNamingIt(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = start(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            String url = serve(sshd, running -> new Answer(200, running + "\n"));
            http.stop(0);
            http = null;
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

            ServerOutcome outcome = install(sshd, profile("", url, ""), "2.0.0", archive, Duration.ofSeconds(30));

            // Nothing answers for the old release either: rolled back, but it does not answer.
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.FAILED);
            assertThat(outcome.detail()).startsWith("health check GET " + url + " answered nothing (exit code ");
            assertThat(app(sshd).current()).isEqualTo("releases/1.4.2");
        }
    }

    private record Answer(int status, String body) {
    }

    /** An HTTP server on 127.0.0.1 answering {@code /version} from the release the sshd's {@code current} runs. */
    private String serve(OpenSshServer sshd, Function<String, Answer> byRunningVersion) throws IOException {
        Path version = app(sshd).path().resolve("current/VERSION");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/version", exchange -> {
            Answer answer = byRunningVersion.apply(Files.readString(version).strip());
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/version";
    }

    private static ProductProfile profile(String restart, String url, String expect) {
        return new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app", "cat current/VERSION",
                "current/bin/demo-app --version", "semantic", ".busy", activation(restart, url, expect));
    }

    private static Activation activation(String restart, String url, String expect) {
        return new Activation(restart, Activation.Reboot.NEVER, Activation.DEFAULT_REBOOT_COMMAND,
                Activation.DEFAULT_BOOT_ID_COMMAND, url, expect, "");
    }

    private static ApplicationDirectory app(OpenSshServer sshd) {
        return new ApplicationDirectory(sshd.root().resolve(DemoApplication.PRODUCT));
    }

    private OpenSshServer start(boolean busyBoxOnly) {
        OpenSshServer.Options options = new OpenSshServer.Options().name(busyBoxOnly ? "busybox" : "gnu");
        if (busyBoxOnly) {
            options.busyBoxOnly();
        }
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd or BusyBox is not installed");
        try {
            return OpenSshServer.start(temp.resolve(busyBoxOnly ? "busybox" : "gnu"), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ServerOutcome install(OpenSshServer sshd, ProductProfile profile, String version, Path archive,
                                  Duration commandTimeout) {
        Release release = Archives.release(version, archive);
        Server server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        try (Session session = transport.connect(server)) {
            return new ReleaseDirectoryInstall(commandTimeout, 3).install(session, () -> transport.connect(server),
                    profile, release, open(archive), new StepReporter("rollout-1", server.name(), events::add));
        }
    }

    private static Supplier<InputStream> open(Path archive) {
        return () -> {
            try {
                return Files.newInputStream(archive);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
