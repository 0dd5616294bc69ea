package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.fleetup.upgrade.internal.DyingSession.ControllerDied;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The controller dies in the middle of an install - its connections gone, nothing more sent - and a new one finishes
 * it from the same journal entries, against a real OpenSSH server with GNU or BusyBox-only tools (which, unlike the
 * simulator, leaves a command running when its connection dies). Judged by the server's own files.
 */
class ResumedInstallTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    /** Blocks until the test creates the gate file in the root, then answers as the release's launcher does. */
    private static final ProductProfile GATED = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "while [ ! -e gate ]; do sleep 0.1; done; current/bin/demo-app --version",
            "semantic");

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private OpenSshServer sshd;
    private Server server;
    private ApplicationDirectory app;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    private void start(boolean busyBoxOnly) {
        OpenSshServer.Options options = new OpenSshServer.Options().name(busyBoxOnly ? "busybox" : "gnu");
        if (busyBoxOnly) {
            options.busyBoxOnly();
        }
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd or BusyBox is not installed");
        try {
            sshd = OpenSshServer.start(temp.resolve("sshd"), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        DemoApplication.install(sshd.root(), "1.4.2");
        app = new ApplicationDirectory(sshd.root().resolve(DemoApplication.PRODUCT));
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void transferInterruptedResumesFromThePartialStagingFile(boolean busyBoxOnly) {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"), 2 * 1024 * 1024);
        Release release = Archives.release("2.0.0", archive);
        openGate(app.path().resolve("gate"));
        Journal first = Journal.inMemory();

        assertThatThrownBy(() -> dying(first, release, archive, GATED, s -> s.dieAfterUploading(release.size() / 2)))
                .isInstanceOf(ControllerDied.class);
        assertThat(app.path().resolve("staging").toFile().list()).hasSize(1);
        assertThat(app.current()).isEqualTo("releases/1.4.2");

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(second.session.sentBytes()).isEqualTo(release.size() - release.size() / 2);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    /**
     * A controller that stops (or loses the server to another) in the middle of a transfer sends nothing more: its
     * journal refuses the next progress event, and that ends the transfer there, not at its last byte.
     */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void stoppingControllerEndsItsTransferAtOnceAndTheNextGoesOnFromThere(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"), 2 * 1024 * 1024);
        Release release = Archives.release("2.0.0", archive);
        openGate(app.path().resolve("gate"));
        Journal first = Journal.inMemory();
        AtomicLong refusedAt = new AtomicLong(-1);
        StepListener stopping = event -> {
            events.add(event);
            if (event.state() == StepState.TRANSFERRING && event.done() >= release.size() / 4) {
                refusedAt.compareAndSet(-1, event.done());
                throw new FleetupException(FleetupException.LEASE_LOST, "The controller is stopping");
            }
        };

        assertThatThrownBy(() -> new Controller().hearing(stopping).install(first, release, archive, GATED))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));

        assertThat(refusedAt.get()).isBetween(release.size() / 4, release.size() - 1);
        Path staging = app.path().resolve("staging");
        // The command on the server goes on alone with what reached it (its stdin ended), then lets the file go.
        Awaitility.await("the stopped transfer's command lets the staged file go").atMost(WAIT)
                .until(() -> {
                    Optional<Path> file = stagedFile(staging);
                    return file.isPresent() && !heldOpen(file.get());
                });
        long landed = Files.size(stagedFile(staging).orElseThrow());
        // Bytes in flight at the stop may be lost, none after it are sent.
        assertThat(landed).isPositive().isLessThanOrEqualTo(refusedAt.get());
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(events).extracting(StepEvent::state).doesNotContain(StepState.VERIFYING, StepState.DONE,
                StepState.FAILED);

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(second.session.sentBytes()).isEqualTo(release.size() - landed);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitFinishesAloneAfterTheControllerDiedAndIsReconciledNotRedone(boolean busyBoxOnly) {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);
        Journal first = Journal.inMemory();

        assertThatThrownBy(() -> dying(first, release, archive, GATED,
                s -> s.dieWhileRunning(ResumedInstallTest::startsAUnit,
                        () -> unitJournalSays("switched releases/2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        openGate(app.path().resolve("gate"));
        Awaitility.await("the unit ends alone on the server").atMost(WAIT)
                .until(() -> unitJournalSays(UnitReport.SWITCHED_HEALTHY));

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.4.2", "2.0.0",
                "upgraded from 1.4.2 to 2.0.0 (verified)"));
        assertThat(second.session.commands()).noneMatch(ResumedInstallTest::startsAUnit);
        assertThat(second.session.sentBytes()).isZero();
        assertThat(unitJournals()).hasSize(1);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(app.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void resumedWhileTheHealthCheckRunsWaitsForTheUnitThenReadsItsRollback(boolean busyBoxOnly) throws Exception {
        start(busyBoxOnly);
        Path liar = Archives.writeWithManifest(temp.resolve("liar.tar.gz"), Archives.demoFiles("2.0.0", "1.9.9"),
                false);
        Release release = Archives.release("2.0.0", liar);
        Journal first = Journal.inMemory();
        assertThatThrownBy(() -> dying(first, release, liar, GATED,
                s -> s.dieWhileRunning(ResumedInstallTest::startsAUnit,
                        () -> unitJournalSays("switched releases/2.0.0"))))
                .isInstanceOf(ControllerDied.class);

        Controller second = new Controller();
        CompletableFuture<ServerOutcome> resumed = CompletableFuture.supplyAsync(
                () -> second.install(copy(first), release, liar, GATED));
        Awaitility.await("the resumed controller waits for the unit").atMost(WAIT)
                .until(() -> events.stream().anyMatch(e -> e.detail().contains("still runs on the server")));
        assertThat(resumed).isNotDone();
        openGate(app.path().resolve("gate"));
        ServerOutcome outcome = resumed.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail())
                .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.4.2 (verified)");
        assertThat(second.session.commands()).noneMatch(ResumedInstallTest::startsAUnit);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void controllerDyingDuringTheRollbackLeavesItToTheUnitAndReconcilesIt(boolean busyBoxOnly) {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);
        Path gate = openGate(app.path().resolve("gate"));
        Journal first = Journal.inMemory();
        // The plan's inspection disagrees, so the controller orders a rollback; whose check of 1.4.2 then waits.
        ReleaseDirectoryInstall.Confirmation disagreeing = session -> {
            closeGate(gate);
            return Optional.of("inspection after the switch read 1.4.2, expected 2.0.0");
        };
        assertThatThrownBy(() -> new Controller().dying(s -> s.dieWhileRunning(
                command -> startsAUnit(command) && command.contains("'rollback'"),
                () -> unitJournalSays("switched releases/1.4.2")))
                .install(first, release, archive, GATED, disagreeing)).isInstanceOf(ControllerDied.class);
        openGate(gate);
        Awaitility.await("the rollback ends alone on the server").atMost(WAIT)
                .until(() -> unitJournalSays(UnitReport.ROLLED_BACK));

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("inspection after the switch read 1.4.2, expected 2.0.0; "
                + "rolled back to 1.4.2 (verified)");
        assertThat(second.session.commands()).noneMatch(ResumedInstallTest::startsAUnit);
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.answer()).isEqualTo("1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitOrderedButNeverStartedIsStartedOnceCurrentIsFoundUnchanged(boolean busyBoxOnly) {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);
        openGate(app.path().resolve("gate"));
        Journal first = Journal.inMemory();
        assertThatThrownBy(() -> dying(first, release, archive, GATED,
                s -> s.dieBefore(ResumedInstallTest::startsAUnit)))
                .isInstanceOf(ControllerDied.class);
        assertThat(first.entries()).containsKey(JournalKeys.UNIT);
        assertThat(app.current()).isEqualTo("releases/1.4.2");

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(second.session.commands()).filteredOn(ResumedInstallTest::startsAUnit).hasSize(1);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(app.leftovers()).isEmpty();
    }

    /** The unit was killed between its switch and its health check's end, as when the server goes down. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitThatDiedWithoutEndingIsRunAgainAndItsReleaseChecked(boolean busyBoxOnly) {
        start(busyBoxOnly);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release release = Archives.release("2.0.0", archive);
        Journal first = Journal.inMemory();
        assertThatThrownBy(() -> dying(first, release, archive, GATED,
                s -> s.dieWhileRunning(ResumedInstallTest::startsAUnit,
                        () -> unitJournalSays("switched releases/2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        killTheUnit(first.entries().get(JournalKeys.UNIT));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        openGate(app.path().resolve("gate"));

        Controller second = new Controller();
        ServerOutcome outcome = second.install(copy(first), release, archive, GATED);

        assertThat(outcome).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.4.2", "2.0.0",
                "upgraded from 1.4.2 to 2.0.0 (verified)"));
        assertThat(second.session.commands()).filteredOn(ResumedInstallTest::startsAUnit).hasSize(1);
        assertThat(app.unitJournals()).hasSize(2).anySatisfy(lines -> assertThat(lines)
                .containsSubsequence("previous releases/1.4.2", "switched releases/2.0.0", "health ok",
                        UnitReport.SWITCHED_HEALTHY));
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.leftovers()).isEmpty();
    }

    private void killTheUnit(String unit) {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(app.path().resolve(SwitchUnit.journal(unit))).get(0)
                    .substring("pid ".length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        Awaitility.await("the unit is gone").atMost(WAIT).until(() -> !handle.isAlive());
    }

    /** One controller: its own transport, whose close is the end of all its connections. */
    private final class Controller {

        private final SshTransport transport = new SshTransport(SshSettings.defaults(), trust);
        private DyingSession session;
        private java.util.function.UnaryOperator<DyingSession> death = s -> s;
        private StepListener listener = events::add;

        Controller hearing(StepListener steps) {
            this.listener = steps;
            return this;
        }

        Controller dying(java.util.function.UnaryOperator<DyingSession> how) {
            this.death = how;
            return this;
        }

        ServerOutcome install(Journal journal, Release release, Path archive, ProductProfile profile) {
            return install(journal, release, archive, profile, ReleaseDirectoryInstall.HEALTH_CHECK_ONLY);
        }

        ServerOutcome install(Journal journal, Release release, Path archive, ProductProfile profile,
                              ReleaseDirectoryInstall.Confirmation confirmation) {
            try {
                session = death.apply(new DyingSession(transport.connect(server), transport::close));
                return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3).install(session,
                        () -> session.isOpen() ? transport.connect(server) : dead(), profile, release,
                        open(archive), new StepReporter("rollout-1", server.name(), listener), confirmation,
                        journal);
            } finally {
                transport.close();
            }
        }

        private Session dead() {
            throw new ControllerDied("before reconnecting");
        }
    }

    private void dying(Journal journal, Release release, Path archive, ProductProfile profile,
                       java.util.function.UnaryOperator<DyingSession> how) {
        new Controller().dying(how).install(journal, release, archive, profile);
    }

    private static boolean startsAUnit(String command) {
        return command.contains("sh -c 'mode=$1");
    }

    private List<Path> unitJournals() {
        Path units = app.path().resolve(SwitchUnit.DIRECTORY);
        if (!Files.isDirectory(units)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(units)) {
            return files.filter(p -> p.toString().endsWith(".journal")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean unitJournalSays(String line) {
        for (Path journal : unitJournals()) {
            try {
                if (Files.readAllLines(journal).contains(line)) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    /** What a new controller finds in the inventory: the same entries. */
    private static Journal copy(Journal journal) {
        Journal copied = Journal.inMemory();
        copied.record(StepState.PENDING, "resumed", journal.entries());
        return copied;
    }

    /** The one file in {@code staging}, if there is one. */
    private static Optional<Path> stagedFile(Path staging) throws IOException {
        try (Stream<Path> files = Files.list(staging)) {
            List<Path> staged = files.toList();
            return staged.size() == 1 ? Optional.of(staged.get(0).toRealPath()) : Optional.empty();
        }
    }

    /**
     * Whether a process on this machine (the sshd's commands, which outlive a connection that ends) has {@code file}
     * open, as the kernel lists it in {@code /proc}.
     */
    private static boolean heldOpen(Path file) throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .anyMatch(process -> opens(process, file));
        }
    }

    private static boolean opens(Path process, Path file) {
        try (Stream<Path> descriptors = Files.list(process.resolve("fd"))) {
            return descriptors.anyMatch(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(file);
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // Gone meanwhile, or not ours to read: it holds nothing of the test's.
            return false;
        }
    }

    private static Path openGate(Path gate) {
        try {
            return Files.exists(gate) ? gate : Files.createFile(gate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeGate(Path gate) {
        try {
            Files.deleteIfExists(gate);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
