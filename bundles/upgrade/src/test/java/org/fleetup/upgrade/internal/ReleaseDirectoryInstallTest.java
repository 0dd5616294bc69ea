package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.upgrade.StepReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release-directory install against real SSH servers, judged by what ends up on their disks. */
class ReleaseDirectoryInstallTest {

    private static final ProductProfile PROFILE = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    @TempDir
    Path temp;

    private SimulatedFleet fleet;
    private SshTransport transport;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startTransport() {
        fleet = new SimulatedFleet(temp.resolve("fleet"));
        transport = new SshTransport(SshSettings.defaults(), fleet.trust());
    }

    @AfterEach
    void stop() {
        transport.close();
        fleet.close();
    }

    @Test
    void upgradeSwitchesCurrentToTheVerifiedNewRelease() throws IOException {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isEqualTo("1.4.2");
        assertThat(outcome.to()).isEqualTo("2.0.0");
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(Files.readString(app.release("2.0.0").resolve("MANIFEST.sha256")))
                .isEqualTo(Archives.read(archive, "MANIFEST.sha256"));
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
        assertThat(app.release("1.4.2").resolve("bin/demo-app")).isExecutable();
    }

    /**
     * The usual upgrade in as few round trips as its safety allows: a look (root, staging, current, installable), the
     * upload, the sum checked in the command that unpacks, and the unit, which tidies after itself when healthy.
     */
    @Test
    void aHealthyUpgradeIsThreeCommandsAndTheUploadAndLeavesNothingBehind() throws IOException {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Server server = fleet.server(host);
        ServerOutcome outcome;
        DyingSession counted;
        try (DyingSession session = new DyingSession(transport.connect(server), () -> { })) {
            counted = session;
            outcome = installer().install(session, () -> transport.connect(server), PROFILE,
                    Archives.release("2.0.0", archive), open(archive), reporter(host));
        }

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(counted.commands()).as("commands sent").hasSize(3);
        assertThat(counted.sentBytes()).isEqualTo(Files.size(archive));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.leftovers()).isEmpty();
        assertThat(app.unitJournals()).hasSize(1);
    }

    @Test
    void everyStepIsToldInOrderEndingWithTheOutcome() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        install(host, Archives.release("2.0.0", archive), archive);

        assertThat(events).extracting(StepEvent::server).containsOnly(host.name());
        assertThat(events).extracting(StepEvent::rollout).containsOnly("rollout-1");
        assertThat(events.stream().map(StepEvent::state).distinct().toList()).containsExactly(
                StepState.TRANSFERRING, StepState.VERIFYING, StepState.INSTALLING, StepState.RESTARTING,
                StepState.CHECKING, StepState.DONE);
    }

    @Test
    void transferProgressIsToldInBoundedStepsUpToTheWholeArtifact() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"), 2 * 1024 * 1024);
        Release release = Archives.release("2.0.0", archive);

        install(host, release, archive);

        List<StepEvent> progress = events.stream().filter(e -> e.total() > 0).toList();
        assertThat(progress).extracting(StepEvent::total).containsOnly(release.size());
        assertThat(progress.get(progress.size() - 1).done()).isEqualTo(release.size());
        assertThat(progress).extracting(StepEvent::done).isSorted();
        // 0, at most one per 256 KiB of 2 MiB, and the last byte
        assertThat(progress).hasSizeBetween(3, 2 + (int) (release.size() / (256 * 1024)) + 1);
    }

    @Test
    void fullDiskFailsTheTransferAndLeavesTheOldReleaseRunning() {
        SimulatedHost host = host("1.4.2", Fault.DISK_FULL);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);

        ServerOutcome outcome = install(host, release, archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("Transfer to " + host.name() + " failed after ")
                .contains("full disk");
        assertThat(outcome.to()).isEqualTo("1.4.2");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void droppedConnectionIsResumedThroughANewSessionFromWhatTheStagingFileHolds() {
        // Each session may write 96 KiB: the 260 KiB artifact lands in three sessions.
        SimulatedHost host = host("1.4.2", Fault.DROP_CONNECTION);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);

        ServerOutcome outcome = install(host, release, archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(events).extracting(StepEvent::state).contains(StepState.RECONNECTING);
        long dropAfter = SimulatedFleet.DEFAULT_DROP_AFTER_BYTES;
        assertThat(events).filteredOn(e -> e.state() == StepState.TRANSFERRING && e.total() == 0)
                .extracting(StepEvent::detail)
                .anySatisfy(detail -> assertThat(detail).endsWith(" from byte " + dropAfter))
                .anySatisfy(detail -> assertThat(detail).endsWith(" from byte " + 2 * dropAfter));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void connectionDroppedBeforeAnyByteLandsFailsAndIsCleanedUpThroughANewSession() {
        fleet.close();
        fleet = new SimulatedFleet(temp.resolve("fleet"), 0, SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES);
        transport.close();
        transport = new SshTransport(SshSettings.defaults(), fleet.trust());
        SimulatedHost host = host("1.4.2", Fault.DROP_CONNECTION);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);

        ServerOutcome outcome = install(host, release, archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("Transfer to " + host.name() + " failed after ")
                .contains("the connection was lost").contains("did not grow (0 bytes)")
                .doesNotContain("could not reconnect");
        assertThat(events).extracting(StepEvent::state).contains(StepState.RECONNECTING);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void releaseAnsweringTheWrongVersionIsRolledBackAndRemoved() {
        SimulatedHost host = host("1.4.2");
        Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail())
                .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.4.2 (verified)");
        assertThat(outcome.to()).isEqualTo("1.4.2");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    /** A directory in the way of the switch back: the unit says its rollback failed, and the outcome says so. */
    @Test
    void rollbackThatCannotSwitchBackFailsWithTheTruth() {
        SimulatedHost host = host("1.4.2");
        Path liar = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);
        ProductProfile blocking = new ProductProfile(DemoApplication.PRODUCT, PROFILE.root(),
                PROFILE.versionCommand(), "mkdir -p current.new/in-the-way && " + PROFILE.healthCommand(),
                PROFILE.scheme());

        ServerOutcome outcome = install(host, blocking, Archives.release("2.0.0", liar), liar,
                ReleaseDirectoryInstall.HEALTH_CHECK_ONLY);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("health check printed '1.9.9', expected 2.0.0; switching current "
                + "back to releases/1.4.2 failed: ").endsWith("; current still points to 2.0.0");
        assertThat(outcome.to()).isNull();
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.unitJournals()).singleElement()
                .satisfies(lines -> assertThat(lines.get(lines.size() - 1)).startsWith("rollback-failed "));
    }

    @Test
    void confirmationThatDisagreesRollsBackToo() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive,
                session -> Optional.of("inspection after the switch read 1.4.2, expected 2.0.0"));

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("inspection after the switch read 1.4.2, expected 2.0.0; "
                + "rolled back to 1.4.2 (verified)");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
    }

    @Test
    void fileNotMatchingTheManifestFailsBeforeTheSwitch() {
        SimulatedHost host = host("1.4.2");
        Path archive = Archives.writeWithManifest(temp.resolve("corrupt.tar.gz"), Archives.demoFiles("2.0.0", "2.0.0"),
                true);

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isEqualTo("file lib/demo-app.jar does not match the manifest");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void checksumMismatchOnTheServerIsResentThenFails() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release real = Archives.release("2.0.0", archive);
        Release expectingOtherBytes = new Release(real.product(), real.version(), real.kind(), "ab".repeat(32),
                real.size(), real.fileName(), real.addedAt());

        ServerOutcome outcome = install(host, expectingOtherBytes, archive);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("checksum mismatch on the server after 3 attempts")
                .contains(real.sha256());
        assertThat(events).filteredOn(e -> e.state() == StepState.VERIFYING).hasSize(3);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.leftovers()).isEmpty();
    }

    /** Another controller took the server over: nothing more is done on it, not even a cleanup or a rollback. */
    @Test
    void lostLeaseStopsTheInstallBeforeTheSwitch() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Journal journal = Journal.inMemory();
        Journal takenOver = new Journal() {
            @Override
            public Map<String, String> entries() {
                return journal.entries();
            }

            @Override
            public void record(StepState step, String detail, Map<String, String> changes) {
                if (changes.containsKey(JournalKeys.UNIT)) {
                    throw new FleetupException(FleetupException.LEASE_LOST, "taken over");
                }
                journal.record(step, detail, changes);
            }
        };
        Server server = fleet.server(host);

        try (Session session = transport.connect(server)) {
            assertThatThrownBy(() -> installer().install(session, () -> transport.connect(server), PROFILE,
                    Archives.release("2.0.0", archive), open(archive), reporter(host),
                    ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, takenOver))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));
        }

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.unitJournals()).isEmpty();
        // Left for the controller that owns the server now, which resumes from the journal.
        assertThat(app.release("2.0.0")).isDirectory();
        assertThat(journal.entries()).containsKeys(JournalKeys.STAGING, JournalKeys.SCRATCH);
        assertThat(events).extracting(StepEvent::state).doesNotContain(StepState.DONE, StepState.FAILED);
    }

    @Test
    void aServerKeepsTheNewestUnitJournalsOnly() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Path units = Files.createDirectories(app.path().resolve(SwitchUnit.DIRECTORY));
        for (int i = 0; i < SwitchUnit.KEPT + 3; i++) {
            Path old = Files.writeString(units.resolve("old-" + i + ".journal"), "pid 1\nswitched-healthy\n");
            Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(app.unitJournals()).hasSize(SwitchUnit.KEPT)
                .anySatisfy(lines -> assertThat(lines).contains("switched releases/2.0.0", "switched-healthy"));
        assertThat(units.resolve("old-0.journal")).doesNotExist();
        assertThat(units.resolve("old-" + (SwitchUnit.KEPT + 2) + ".journal")).exists();
    }

    @Test
    void installingTheSameReleaseAgainReusesItsDirectory() throws IOException {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);
        install(host, release, archive);
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Path marker = Files.writeString(app.release("2.0.0").resolve("installed-first"), "");
        events.clear();

        ServerOutcome again = install(host, release, archive);

        assertThat(again.state()).as(again.detail()).isEqualTo(StepState.DONE);
        assertThat(marker).exists();
        assertThat(events).anyMatch(e -> e.detail().contains("reusing it"));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void damagedExistingReleaseIsReplacedByTheVerifiedOne() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        DemoApplication.install(host.root(), "2.0.0");
        DemoApplication.install(host.root(), "1.4.2");
        Files.writeString(app.release("2.0.0").resolve("lib/demo-app.jar"), "damaged");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void firstInstallCreatesCurrent() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Files.delete(app.path().resolve("current"));
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isNull();
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
    }

    @Test
    void firstInstallWhereTheRootDoesNotExistCreatesItAndCurrent() throws IOException {
        SimulatedHost host = host(null);
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome).isEqualTo(new ServerOutcome(host.name(), StepState.DONE, null, "2.0.0",
                "installed 2.0.0 (verified); no release ran before"));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(Files.readString(app.release("2.0.0").resolve("MANIFEST.sha256")))
                .isEqualTo(Archives.read(archive, "MANIFEST.sha256"));
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void firstInstallFailingItsHealthCheckRemovesEverythingItCreated() {
        SimulatedHost host = host(null);
        Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.from()).isNull();
        assertThat(outcome.to()).isNull();
        assertThat(outcome.detail()).isEqualTo("health check printed '1.9.9', expected 2.0.0; no release ran before"
                + " 2.0.0: removed it and current, nothing is installed, as before");
        assertThat(host.root()).isEmptyDirectory();
    }

    @Test
    void firstInstallFailingItsHealthCheckLeavesAnEmptyRootEmpty() throws IOException {
        SimulatedHost host = host(null);
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Files.createDirectory(app.path());
        Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(app.path()).isEmptyDirectory();
    }

    @Test
    void firstInstallFailingItsHealthCheckKeepsWhatTheRootHeldBefore() throws IOException {
        SimulatedHost host = host("1.4.2");
        ApplicationDirectory app = ApplicationDirectory.of(host);
        Files.delete(app.path().resolve("current"));
        Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(app.path().resolve("current")).doesNotExist();
        assertThat(app.path().resolve("releases")).isDirectoryContaining(p -> p.endsWith("1.4.2"));
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.release("1.4.2").resolve("bin/demo-app")).isExecutable();
        assertThat(app.leftovers()).isEmpty();
        assertThat(app.path().resolve("staging")).doesNotExist();
    }

    @Test
    void firstInstallUnderMissingParentsRemovesThemAllOnFailure() {
        SimulatedHost host = host(null);
        ProductProfile deep = new ProductProfile(DemoApplication.PRODUCT, "$HOME/srv/site/demo-app",
                PROFILE.versionCommand(), PROFILE.healthCommand(), PROFILE.scheme());
        Path archive = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);

        ServerOutcome outcome = install(host, deep, Archives.release("2.0.0", archive), archive,
                ReleaseDirectoryInstall.HEALTH_CHECK_ONLY);

        assertThat(outcome.state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(host.root()).isEmptyDirectory();
    }

    @Test
    void firstInstallWhoseTransferFailsRemovesEverythingItCreated() {
        SimulatedHost host = host(null, Fault.DISK_FULL);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).contains("full disk");
        assertThat(host.root()).isEmptyDirectory();
    }

    @Test
    void aRootUnderTildeIsTheHomeDirectoryAsTheInspectionReadsIt() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        ProductProfile tilde = new ProductProfile(DemoApplication.PRODUCT, "~/demo-app", PROFILE.versionCommand(),
                PROFILE.healthCommand(), PROFILE.scheme());

        ServerOutcome outcome = install(host, tilde, Archives.release("2.0.0", archive), archive);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    @Test
    void aRootHoldingShellSyntaxIsOneLiteralDirectoryAndRunsNothing() throws IOException {
        SimulatedHost host = host("1.4.2");
        String odd = "demo\"; touch pwned; \"app $(touch pwned) `touch pwned` it's";
        Files.move(host.root().resolve(DemoApplication.PRODUCT), host.root().resolve(odd));
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        ProductProfile quoted = new ProductProfile(DemoApplication.PRODUCT, "$HOME/" + odd,
                PROFILE.versionCommand(), PROFILE.healthCommand(), PROFILE.scheme());

        ServerOutcome outcome = install(host, quoted, Archives.release("2.0.0", archive), archive);

        ApplicationDirectory app = new ApplicationDirectory(host.root().resolve(odd));
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(app.leftovers()).isEmpty();
        assertThat(host.root().resolve("pwned")).doesNotExist();
    }

    @Test
    void aVersionThatCannotNameADirectoryIsRefusedBeforeAnythingIsDone() {
        SimulatedHost host = host("1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release real = Archives.release("2.0.0", archive);
        Release hostile = new Release(real.product(), "2.0.0;touch pwned", real.kind(), real.sha256(), real.size(),
                real.fileName(), real.addedAt());
        Server server = fleet.server(host);

        try (Session session = transport.connect(server)) {
            assertThatThrownBy(() -> installer().install(session, () -> transport.connect(server), PROFILE,
                    hostile, open(archive), reporter(host)))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                    .hasMessageStartingWith("'2.0.0;touch pwned' cannot be a version on a server");
        }
        assertThat(host.root().resolve("pwned")).doesNotExist();
        assertThat(ApplicationDirectory.of(host).path().resolve("staging")).doesNotExist();
        assertThat(events).isEmpty();
    }

    @Test
    void aFileMissingFromTheReleaseIsNamedFromWhatGnuOrBusyBoxPrinted() {
        CommandResult gnu = new CommandResult(1, "./lib/a.jar: FAILED open or read\n"
                + "sha256sum: WARNING: 1 listed file could not be read\n", "");
        CommandResult busyBox = new CommandResult(1, "sha256sum: can't open './lib/a.jar': No such file or directory\n"
                + "./lib/a.jar: FAILED\nsha256sum: WARNING: 1 of 3 computed checksums did NOT match\n", "");
        CommandResult changed = new CommandResult(1, "./lib/a.jar: FAILED\n", "");

        assertThat(ReleaseDirectoryInstall.manifestProblem("/r", gnu))
                .isEqualTo("file lib/a.jar listed in the manifest is missing from /r");
        assertThat(ReleaseDirectoryInstall.manifestProblem("/r", busyBox))
                .isEqualTo("file lib/a.jar listed in the manifest is missing from /r");
        assertThat(ReleaseDirectoryInstall.manifestProblem("/r", changed))
                .isEqualTo("file lib/a.jar does not match the manifest");
    }

    private SimulatedHost host(String version, Fault... faults) {
        return fleet.start("up", List.of(new HostSpec(version, Set.of(faults)))).get(0);
    }

    private ServerOutcome install(SimulatedHost host, Release release, Path archive) {
        return install(host, release, archive, ReleaseDirectoryInstall.HEALTH_CHECK_ONLY);
    }

    private ServerOutcome install(SimulatedHost host, Release release, Path archive,
                                  ReleaseDirectoryInstall.Confirmation confirmation) {
        return install(host, PROFILE, release, archive, confirmation);
    }

    private ServerOutcome install(SimulatedHost host, ProductProfile profile, Release release, Path archive,
                                  ReleaseDirectoryInstall.Confirmation confirmation) {
        Server server = fleet.server(host);
        try (Session session = transport.connect(server)) {
            return installer().install(session, () -> transport.connect(server), profile, release, open(archive),
                    reporter(host), confirmation);
        }
    }

    private ServerOutcome install(SimulatedHost host, ProductProfile profile, Release release, Path archive) {
        Server server = fleet.server(host);
        try (Session session = transport.connect(server)) {
            return installer().install(session, () -> transport.connect(server), profile, release, open(archive),
                    reporter(host));
        }
    }

    private static ReleaseDirectoryInstall installer() {
        return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3);
    }

    private StepReporter reporter(SimulatedHost host) {
        return new StepReporter("rollout-1", host.name(), events::add);
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
