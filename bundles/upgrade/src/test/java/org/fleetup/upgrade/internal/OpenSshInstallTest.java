package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
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
 * The whole install, rollback included, against real OpenSSH servers: one with the GNU tools of this machine, and one
 * whose shell and every tool are BusyBox's, as on an embedded Linux box. Judged by what ends up on their disks.
 */
class OpenSshInstallTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final ProductProfile PROFILE = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    @TempDir
    Path temp;

    private SshTransport transport;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startTransport() {
        transport = new SshTransport(SshSettings.defaults(), trust);
    }

    @AfterEach
    void stopTransport() {
        transport.close();
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void upgradeSwitchesCurrentToTheVerifiedNewRelease(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer server = start(busyBoxOnly)) {
            DemoApplication.install(server.root(), "1.4.2");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

            ServerOutcome outcome = install(server, Archives.release("2.0.0", archive), archive);

            ApplicationDirectory app = new ApplicationDirectory(server.root().resolve(DemoApplication.PRODUCT));
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
            assertThat(outcome.from()).isEqualTo("1.4.2");
            assertThat(outcome.to()).isEqualTo("2.0.0");
            assertThat(app.current()).isEqualTo("releases/2.0.0");
            assertThat(app.answer()).isEqualTo("2.0.0");
            assertThat(Files.readString(app.release("2.0.0").resolve("MANIFEST.sha256")))
                    .isEqualTo(Archives.read(archive, "MANIFEST.sha256"));
            assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
            assertThat(app.release("2.0.0").resolve("bin/demo-app")).isExecutable();
            assertThat(app.leftovers()).isEmpty();
            assertThat(app.release("1.4.2").resolve("bin/demo-app")).isExecutable();
            assertThat(app.unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                    .containsSubsequence("previous releases/1.4.2", "switched releases/2.0.0", "health ok",
                            "switched-healthy"));
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void failingHealthCheckRollsBackToTheOldRelease(boolean busyBoxOnly) {
        try (OpenSshServer server = start(busyBoxOnly)) {
            DemoApplication.install(server.root(), "1.4.2");
            Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"),
                    Archives.demoFiles("2.0.0", "1.9.9"), false);

            ServerOutcome outcome = install(server, Archives.release("2.0.0", archive), archive);

            ApplicationDirectory app = new ApplicationDirectory(server.root().resolve(DemoApplication.PRODUCT));
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(outcome.detail())
                    .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.4.2 (verified)");
            assertThat(outcome.to()).isEqualTo("1.4.2");
            assertThat(app.current()).isEqualTo("releases/1.4.2");
            assertThat(app.answer()).isEqualTo("1.4.2");
            assertThat(app.filesNotMatchingTheirManifest("1.4.2")).isEmpty();
            assertThat(app.release("2.0.0")).doesNotExist();
            assertThat(app.leftovers()).isEmpty();
            assertThat(app.unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                    .containsSubsequence("previous releases/1.4.2", "switched releases/2.0.0",
                            "health failed health check printed '1.9.9', expected 2.0.0", "switched releases/1.4.2",
                            "rolled-back"));
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void fileNotMatchingTheManifestFailsBeforeTheSwitch(boolean busyBoxOnly) {
        try (OpenSshServer server = start(busyBoxOnly)) {
            DemoApplication.install(server.root(), "1.4.2");
            Path archive = Archives.writeWithManifest(temp.resolve("corrupt.tar.gz"),
                    Archives.demoFiles("2.0.0", "2.0.0"), true);

            ServerOutcome outcome = install(server, Archives.release("2.0.0", archive), archive);

            ApplicationDirectory app = new ApplicationDirectory(server.root().resolve(DemoApplication.PRODUCT));
            assertThat(outcome.state()).isEqualTo(StepState.FAILED);
            assertThat(outcome.detail()).isEqualTo("file lib/demo-app.jar does not match the manifest");
            assertThat(app.current()).isEqualTo("releases/1.4.2");
            assertThat(app.release("2.0.0")).doesNotExist();
            assertThat(app.leftovers()).isEmpty();
        }
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

    private ServerOutcome install(OpenSshServer sshd, Release release, Path archive) {
        Server server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        try (Session session = transport.connect(server)) {
            return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3).install(session,
                    () -> transport.connect(server), PROFILE, release, open(archive),
                    new StepReporter("rollout-1", server.name(), events::add));
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
