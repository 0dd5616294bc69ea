package org.fleetup.transport.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.Procedure.Step;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.fleetup.comparison.internal.VersionPlanner;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SFTP-only transport against real OpenSSH servers that offer SFTP and nothing else
 * ({@code ForceCommand internal-sftp}), each judged by the files on its disk.
 */
class SftpTransportTest {

    private static final ProductProfile PROFILE = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    @TempDir
    Path temp;

    private final SftpOnlyServers.FileStore store = new SftpOnlyServers.FileStore();
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> started = new ArrayList<>();
    private SftpTransport transport;
    private VersionPlanner planner;
    private OpenSshServer sshd;
    private Server server;
    private Release release;

    @BeforeEach
    void start() {
        sshd = started(SftpOnlyServers.start(temp, "sftp-01"));
        server = SftpOnlyServers.server(sshd, "sftp");
        SftpOnlyServers.FixedProfiles profiles = new SftpOnlyServers.FixedProfiles(PROFILE);
        planner = new VersionPlanner(new DefaultVersionSchemes(), profiles);
        transport = started(new SftpTransport(SshSettings.defaults(), SftpOnlyServers.TRUST, profiles, planner, store,
                Duration.ofSeconds(30), Duration.ofMillis(200)));
        release = store.add(DemoApplication.PRODUCT, "2.0.0", Release.DEFAULT_KIND,
                DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz")));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void anSftpOnlyServerRunsNoShellCommand() {
        try (SshTransport ssh = new SshTransport(SshSettings.defaults(), SftpOnlyServers.TRUST);
             Session session = ssh.connect(SftpOnlyServers.server(sshd, "ssh"))) {
            Throwable thrown = catchThrowable(() -> {
                CommandResult result = session.execute("touch made-by-a-shell && echo made", Duration.ofSeconds(3));
                assertThat(result.succeeded() && result.stdout().contains("made")).as(result.toString()).isFalse();
            });
            if (thrown != null) {
                assertThat(thrown).isInstanceOf(FleetupException.class);
            }
        }
        assertThat(sshd.root().resolve("made-by-a-shell")).doesNotExist();
    }

    @Test
    void inspectionReadsTheVersionFileOrFindsNothingInstalled() {
        assertThat(transport.inspect(server, DemoApplication.PRODUCT))
                .extracting(Inspection::status, Inspection::detail)
                .containsExactly(Inspection.Status.NOT_INSTALLED, "no demo-app/current");

        DemoApplication.install(sshd.root(), "1.4.2");

        assertThat(transport.inspect(server, DemoApplication.PRODUCT))
                .extracting(Inspection::status, Inspection::version)
                .containsExactly(Inspection.Status.OK, "1.4.2");
    }

    @Test
    void upgradeSwitchesCurrentToTheVerifiedReleaseJudgedByTheServersFiles() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");

        ServerOutcome outcome = upgrade(Journal.inMemory());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isEqualTo("1.4.2");
        assertThat(outcome.to()).isEqualTo("2.0.0");
        assertUpgraded();
        assertThat(app().resolve("releases/1.4.2/VERSION")).hasContent("1.4.2");
    }

    @Test
    void firstInstallOnAnEmptyServerLaysOutTheSameTree() throws IOException {
        ServerOutcome outcome = upgrade(Journal.inMemory());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isNull();
        assertUpgraded();
    }

    @Test
    void anUnreachableServerFailsWithTheReasonAlone() {
        sshd.close();

        ServerOutcome outcome = upgrade(Journal.inMemory());

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("Cannot reach sftp-01 at 127.0.0.1:" + sshd.port())
                .endsWith("; nothing was installed").doesNotContain("cleaning up");
    }

    @Test
    void aServerOnTheReleaseAlreadyIsSkippedUntouched() throws IOException {
        DemoApplication.install(sshd.root(), "2.0.0");
        Object before = inode(app().resolve("current"));

        ServerOutcome outcome = upgrade(Journal.inMemory());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.SKIPPED);
        assertThat(inode(app().resolve("current"))).isEqualTo(before);
    }

    /** Where a controller dies: the last step it finished before it was killed. */
    enum KilledAfter {
        UPLOAD(Step.STAGE), RENAME(Step.VERIFY), SWITCH(Step.INSTALL);

        final Step step;

        KilledAfter(Step step) {
            this.step = step;
        }
    }

    @ParameterizedTest
    @EnumSource(KilledAfter.class)
    void aControllerKilledMidwayFinishesOnTheSameJournalDoingTheWorkOnce(KilledAfter killed) throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Journal journal = Journal.inMemory();
        Procedure first = transport.begin("rollout-1", server, release, false, events::add, journal);
        for (Step step : Step.values()) {
            first.run(step);
            if (step == killed.step) {
                break;
            }
        }
        // Killed: the connection is gone and nothing more is done, not even a failure's cleanup.
        first.close();
        String scratch = journal.entries().get(SftpProcedure.SCRATCH);
        Path written = killed == KilledAfter.UPLOAD ? sshd.root().resolve(scratch) : app().resolve("releases/2.0.0");
        Object writtenFile = inode(written.resolve("lib/demo-app.jar"));
        Object link = inode(app().resolve("current"));

        ServerOutcome outcome;
        try (Procedure again = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            outcome = again.runToEnd();
        }

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isEqualTo("1.4.2");
        assertUpgraded();
        // Written once, renamed once, switched once: the files and the link are the very ones of the first run.
        assertThat(inode(app().resolve("releases/2.0.0/lib/demo-app.jar"))).isEqualTo(writtenFile);
        if (killed == KilledAfter.SWITCH) {
            assertThat(inode(app().resolve("current"))).isEqualTo(link);
        }
    }

    @Test
    void aScratchLeftHalfWrittenIsWrittenAgainAndRemoved() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Journal journal = Journal.inMemory();
        try (Procedure first = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            for (Step step : List.of(Step.CONNECT, Step.INSPECT, Step.COMPARE, Step.WAIT_INSTALLABLE, Step.STAGE)) {
                first.run(step);
            }
        }
        // Killed in the middle of the upload: the last file never arrived.
        Path scratch = sshd.root().resolve(journal.entries().get(SftpProcedure.SCRATCH));
        Files.delete(scratch.resolve("lib/demo-app.jar"));

        ServerOutcome outcome = upgrade(journal);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertUpgraded();
        assertThat(scratch).doesNotExist();
    }

    @Test
    void killedBetweenTheRenameAndItsRecordTheReleaseInPlaceIsVerifiedAndKept() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Journal journal = Journal.inMemory();
        String scratch;
        try (Procedure first = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            for (Step step : List.of(Step.CONNECT, Step.INSPECT, Step.COMPARE, Step.WAIT_INSTALLABLE, Step.STAGE)) {
                first.run(step);
            }
            scratch = journal.entries().get(SftpProcedure.SCRATCH);
            first.run(Step.VERIFY);
        }
        // As if the controller died after the rename reached the server and before the journal said so.
        journal.record(StepState.VERIFYING, "rolled back by the test", Map.of(SftpProcedure.SCRATCH, scratch));
        journal.record(StepState.VERIFYING, "", Collections.singletonMap(SftpProcedure.PLACED, null));
        Object placed = inode(app().resolve("releases/2.0.0/lib/demo-app.jar"));

        ServerOutcome outcome = upgrade(journal);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertUpgraded();
        assertThat(inode(app().resolve("releases/2.0.0/lib/demo-app.jar"))).isEqualTo(placed);
        assertThat(events).extracting(StepEvent::detail).anyMatch(detail -> detail.contains("matches the release"));
    }

    @Test
    void killedBetweenTheSwitchAndItsRecordCurrentAlreadyPointingCountsAsSwitched() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Journal journal = Journal.inMemory();
        try (Procedure first = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            for (Step step : List.of(Step.CONNECT, Step.INSPECT, Step.COMPARE, Step.WAIT_INSTALLABLE, Step.STAGE,
                    Step.VERIFY, Step.INSTALL)) {
                first.run(step);
            }
        }
        journal.record(StepState.INSTALLING, "", Collections.singletonMap(SftpProcedure.SWITCHED, null));
        Object link = inode(app().resolve("current"));

        ServerOutcome outcome = upgrade(journal);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isEqualTo("1.4.2");
        assertUpgraded();
        assertThat(inode(app().resolve("current"))).isEqualTo(link);
    }

    @Test
    void aFileChangedBeforeItIsReadBackLeavesTheOldReleaseRunningAndNoScratch() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Journal journal = Journal.inMemory();
        ServerOutcome outcome;
        try (Procedure procedure = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            for (Step step : List.of(Step.CONNECT, Step.INSPECT, Step.COMPARE, Step.WAIT_INSTALLABLE, Step.STAGE)) {
                procedure.run(step);
            }
            Path jar = sshd.root().resolve(journal.entries().get(SftpProcedure.SCRATCH)).resolve("lib/demo-app.jar");
            byte[] bytes = Files.readAllBytes(jar);
            bytes[bytes.length / 2] ^= 1;
            Files.write(jar, bytes);

            RuntimeException failure = (RuntimeException) catchThrowable(() -> procedure.run(Step.VERIFY));
            assertThat(failure).isInstanceOf(FleetupException.class);
            procedure.fail(Step.VERIFY, failure);
            outcome = procedure.outcome().orElseThrow();
        }

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).contains("file lib/demo-app.jar read back does not match what was written")
                .endsWith("1.4.2 still runs, unchanged");
        assertThat(Files.readSymbolicLink(app().resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(app().resolve("current/VERSION")).hasContent("1.4.2");
        assertThat(app().resolve("releases/2.0.0")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aVersionFileThatDoesNotNameTheReleaseSwitchesCurrentBack() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        // Its files say 1.9.9: the version file read through the new current is the health check, and it fails.
        release = store.add(DemoApplication.PRODUCT, "2.0.0", Release.DEFAULT_KIND,
                DemoApplication.writeRelease("1.9.9", temp.resolve("liar/demo-app-2.0.0.tar.gz")));

        ServerOutcome outcome = upgrade(Journal.inMemory());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("demo-app/current/VERSION reads '1.9.9', expected 2.0.0; rolled back "
                + "to 1.4.2");
        assertThat(outcome.to()).isEqualTo("1.4.2");
        assertThat(Files.readSymbolicLink(app().resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(app().resolve("current/VERSION")).hasContent("1.4.2");
        assertThat(app().resolve("releases/2.0.0")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aServerBusyPastTheWaitIsLeftUnchanged() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        Files.createFile(app().resolve(".busy"));
        SftpOnlyServers.FixedProfiles profiles = new SftpOnlyServers.FixedProfiles(PROFILE);
        ServerOutcome outcome;
        try (SftpTransport impatient = new SftpTransport(SshSettings.defaults(), SftpOnlyServers.TRUST, profiles,
                planner, store,
                Duration.ofSeconds(1), Duration.ofMillis(200));
             Procedure procedure = impatient.begin("rollout-1", server, release, false, events::add,
                     Journal.inMemory())) {
            outcome = procedure.runToEnd();
        }

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("not installable: demo-app/.busy still exists");
        assertThat(events).extracting(StepEvent::state).contains(StepState.WAITING);
        assertThat(Files.readSymbolicLink(app().resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(app().resolve("releases/2.0.0")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void thePlanRefusesAPackageOrACommandNeedingProfileForAServerReachedOverSftp() throws IOException {
        Release deb = store.add(DemoApplication.PRODUCT, "2.0.1", Release.DEFAULT_KIND,
                Files.write(temp.resolve("demo-app_2.0.1_all.deb"), new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> planner.requireCapable(deb, offered()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_INCAPABLE))
                .hasMessageStartingWith("Cannot plan release demo-app/2.0.1: sftp-01 is reached over sftp://, "
                        + "which runs no commands; the package strategy for demo-app_2.0.1_all.deb needs commands");

        ProductProfile restarting = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
                "cat current/VERSION", "current/bin/demo-app --version", "semantic", ProductProfile.DEFAULT_BUSY_MARKER,
                new Activation("systemctl --user restart demo-app", Activation.Reboot.NEVER, "reboot",
                        Activation.DEFAULT_BOOT_ID_COMMAND, "", "", ""));
        VersionPlanner strict = new VersionPlanner(new DefaultVersionSchemes(),
                new SftpOnlyServers.FixedProfiles(restarting));
        assertThatThrownBy(() -> strict.requireCapable(release, offered()))
                .hasMessageContaining("sftp-01 is reached over sftp://, which runs no commands; the restartCommand "
                        + "needs commands");
        planner.requireCapable(release, offered());
    }

    @Test
    void theProcedureRefusesACommandNeedingProfileEvenWhenThePlanWasSkipped() throws IOException {
        DemoApplication.install(sshd.root(), "1.4.2");
        ProductProfile restarting = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
                "cat current/VERSION", "current/bin/demo-app --version", "semantic", ProductProfile.DEFAULT_BUSY_MARKER,
                new Activation("systemctl --user restart demo-app", Activation.Reboot.NEVER, "reboot",
                        Activation.DEFAULT_BOOT_ID_COMMAND, "", "", ""));
        SftpOnlyServers.FixedProfiles profiles = new SftpOnlyServers.FixedProfiles(restarting);
        try (SftpTransport strict = new SftpTransport(SshSettings.defaults(), SftpOnlyServers.TRUST, profiles,
                planner, store,
                Duration.ofSeconds(30), Duration.ofMillis(200))) {
            ServerOutcome outcome;
            try (Procedure procedure = strict.begin("rollout-1", server, release, false, events::add,
                    Journal.inMemory())) {
                outcome = procedure.runToEnd();
            }

            assertThat(outcome.state()).isEqualTo(StepState.FAILED);
            assertThat(outcome.detail()).contains("the restartCommand needs commands");
        }
        assertThat(Files.readSymbolicLink(app().resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(app().resolve("releases/2.0.0")).doesNotExist();
    }

    private ServerOutcome upgrade(Journal journal) {
        try (Procedure procedure = transport.begin("rollout-1", server, release, false, events::add, journal)) {
            return procedure.runToEnd();
        }
    }

    /** current -> releases/2.0.0, every file as the manifest says, the version file, nothing left over. */
    private void assertUpgraded() throws IOException {
        Path app = app();
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
        assertThat(app.resolve("current/VERSION")).hasContent("2.0.0");
        Path release = app.resolve("releases/2.0.0");
        List<String> manifest = Files.readAllLines(release.resolve("MANIFEST.sha256"));
        assertThat(manifest).isNotEmpty();
        for (String line : manifest) {
            String[] parts = line.split("\\s+\\*?", 2);
            assertThat(SftpOnlyServers.sha256(release.resolve(parts[1]))).as(parts[1]).isEqualTo(parts[0]);
        }
        try (Stream<Path> files = Files.walk(release)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> release.relativize(f).toString()).sorted())
                    .containsExactly("MANIFEST.sha256", "VERSION", "bin/demo-app", "lib/demo-app.jar");
        }
        assertThat(release.resolve("bin/demo-app")).isExecutable();
        assertThat(app.resolve("staging")).isDirectory();
        assertThat(leftovers()).isEmpty();
    }

    /** Scratch directories, links being made, releases moved aside. */
    private List<String> leftovers() throws IOException {
        if (!Files.exists(app())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(app())) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.startsWith(".scratch-") || name.startsWith(".aside-")
                            || name.equals("current.new"))
                    .toList();
        }
    }

    private Path app() {
        return sshd.root().resolve(DemoApplication.PRODUCT);
    }

    private static Object inode(Path path) throws IOException {
        return Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    private <T extends AutoCloseable> T started(T closeable) {
        started.add(closeable);
        return closeable;
    }

    /** The server with what the transport under test can do there, as the routes find it for the planner. */
    private Map<Server, Set<Capability>> offered() {
        return Map.of(server, transport.capabilities());
    }
}
