package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The on-server unit by itself, on real OpenSSH servers with GNU or BusyBox-only tools: it outlives the command that
 * waits for it, and it bounds its own health check.
 */
class SwitchUnitTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final String GATED_HEALTH =
            "while [ ! -e gate ]; do sleep 0.1; done; current/bin/demo-app --version";

    // A number no other test sleeps, so that its process is known as this test's.
    private static final int HUNG_SECONDS = 6173;

    @TempDir
    Path temp;

    private SshTransport transport;

    @BeforeEach
    void startTransport() {
        transport = new SshTransport(SshSettings.defaults(), trust);
    }

    @AfterEach
    void stopTransport() {
        transport.close();
    }

    /**
     * The transport kills a timed-out command with its whole process group: the unit, in a session of its own, is
     * not in it, and switches, checks and ends healthy once the gate opens.
     */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitOutlivesTheKillOfTheCommandThatWaitsForIt(boolean busyBoxOnly) {
        try (OpenSshServer sshd = start(busyBoxOnly); Session session = transport.connect(server(sshd))) {
            Path app = installOldAndNew(sshd);

            assertThatThrownBy(() -> session.execute(SwitchUnit.start("\"$HOME\"/demo-app", SwitchUnit.SWITCH, "u1",
                    "releases/2.0.0", "2.0.0", "releases/1.4.2", "1.4.2", GATED_HEALTH, Duration.ofSeconds(60)),
                    Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.COMMAND_TIMEOUT));
            Path journal = app.resolve(SwitchUnit.journal("u1"));
            assertThat(lines(journal)).contains("switched releases/2.0.0").doesNotContain("health ok");
            gate(app);

            Awaitility.await("the unit ends on its own").atMost(Duration.ofSeconds(30))
                    .until(() -> lines(journal).contains(UnitReport.SWITCHED_HEALTHY));
            assertThat(lines(journal)).containsSubsequence("previous releases/1.4.2", "switched releases/2.0.0",
                    "health ok", UnitReport.SWITCHED_HEALTHY);
            assertThat(new ApplicationDirectory(app).current()).isEqualTo("releases/2.0.0");
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void healthCheckPastTheUnitsDeadlineIsKilledAndRolledBack(boolean busyBoxOnly) {
        try (OpenSshServer sshd = start(busyBoxOnly); Session session = transport.connect(server(sshd))) {
            Path app = installOldAndNew(sshd);

            String printed = session.execute(SwitchUnit.start("\"$HOME\"/demo-app", SwitchUnit.SWITCH, "u2",
                    "releases/2.0.0", "2.0.0", "releases/1.4.2", "1.4.2",
                    "if grep -q 2.0.0 current/VERSION; then sleep " + HUNG_SECONDS + "; fi; "
                            + "current/bin/demo-app --version",
                    Duration.ofSeconds(1)),
                    Duration.ofSeconds(30)).stdout();

            UnitReport report = UnitReport.parse(printed);
            assertThat(report.healthProblem()).isEqualTo("health check did not end within 1 s");
            assertThat(report.end()).isEqualTo(UnitReport.ROLLED_BACK);
            ApplicationDirectory directory = new ApplicationDirectory(app);
            assertThat(directory.current()).isEqualTo("releases/1.4.2");
            assertThat(directory.release("2.0.0")).doesNotExist();
            assertThat(directory.answer()).isEqualTo("1.4.2");
            // The killed check took its sleep with it: in a session of its own, it is no longer sshd's descendant.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.allProcesses()
                    .map(h -> h.info().commandLine().orElse(""))
                    .noneMatch(line -> line.endsWith(" " + HUNG_SECONDS)));
        }
    }

    private static Path installOldAndNew(OpenSshServer sshd) {
        DemoApplication.install(sshd.root(), "2.0.0");
        DemoApplication.install(sshd.root(), "1.4.2");
        return sshd.root().resolve(DemoApplication.PRODUCT);
    }

    private static void gate(Path app) {
        try {
            Files.createFile(app.resolve("gate"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Server server(OpenSshServer sshd) {
        return trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
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
}
