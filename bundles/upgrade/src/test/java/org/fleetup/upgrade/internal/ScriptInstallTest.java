package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.fleetup.upgrade.internal.DyingSession.ControllerDied;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The script strategy against real OpenSSH servers, GNU and BusyBox-only: a firmware whose hooks write it into a slot
 * and select it, checked by a health command that reads the selected slot. Judged by the server's files: the
 * selected version, the slots, the hooks' own log and the unit's journal.
 */
class ScriptInstallTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final String FIRMWARE = "fw";
    private static final Duration WAIT = Duration.ofSeconds(60);

    // The health check waits for the gate file when the test has closed it, so that a controller can die meanwhile.
    private static final ProductProfile.Installer HOOKS = new ProductProfile.Installer("auto",
            "echo \"pre $FLEETUP_PREVIOUS_VERSION $FLEETUP_VERSION\" >> hooks.log",
            "cp \"$1\" \"slot-$FLEETUP_VERSION\" && printf '%s\\n' \"$FLEETUP_VERSION\" > active.new"
                    + " && mv active.new active && echo \"install $1 $FLEETUP_ARTIFACT\" >> hooks.log",
            "echo post >> hooks.log",
            "printf '%s\\n' \"$FLEETUP_PREVIOUS_VERSION\" > active && echo \"rollback $FLEETUP_PREVIOUS_VERSION\""
                    + " >> hooks.log",
            "", "");

    @TempDir
    Path temp;

    private OpenSshServer sshd;
    private Server server;
    private Path root;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();
    private DyingSession last;

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void firmwareIsInstalledByTheHooksThenHealthChecked(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path image = image("2.0.0", "2.0.0");

        ServerOutcome outcome = install(Journal.inMemory(), firmware("2.0.0", image), image, profile(HOOKS),
                UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.detail()).isEqualTo("upgraded from 1.0.0 to 2.0.0 (verified)");
        assertThat(read("active")).isEqualTo("2.0.0");
        assertThat(root.resolve("slot-2.0.0")).hasSameBinaryContentAs(image);
        List<String> hooks = Files.readAllLines(root.resolve("hooks.log"));
        assertThat(hooks).hasSize(3);
        assertThat(hooks.get(0)).isEqualTo("pre 1.0.0 2.0.0");
        // $1 and FLEETUP_ARTIFACT name the staged artifact, which was verified and is removed once done.
        assertThat(hooks.get(1)).matches("install (\\S+/staging/fw-2\\.0\\.0\\.[0-9a-f]{12}\\.bin) \\1");
        assertThat(hooks.get(2)).isEqualTo("post");
        assertThat(root.resolve("staging")).isEmptyDirectory();
        assertThat(unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                .containsSubsequence("previous 1.0.0", "switched 2.0.0", "health ok", "switched-healthy"));
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void failingHealthCheckRunsTheRollbackHookThenChecksTheOldVersion(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path liar = image("2.0.0", "1.9.9");

        ServerOutcome outcome = install(Journal.inMemory(), firmware("2.0.0", liar), liar, profile(HOOKS),
                UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail())
                .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.0.0 (verified)");
        assertThat(read("active")).isEqualTo("1.0.0");
        assertThat(Files.readAllLines(root.resolve("hooks.log"))).last().isEqualTo("rollback 1.0.0");
        assertThat(unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                .containsSubsequence("previous 1.0.0", "switched 2.0.0",
                        "health failed health check printed '1.9.9', expected 2.0.0", "switched 1.0.0",
                        "rolled-back"));
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void withoutARollbackHookAFailureIsLeftFailedSayingThereIsNoWayBack(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path liar = image("2.0.0", "1.9.9");
        ProductProfile.Installer noWayBack = new ProductProfile.Installer("script", HOOKS.preInstallCommand(),
                HOOKS.installCommand(), HOOKS.postInstallCommand(), "", "", "");

        ServerOutcome outcome = install(Journal.inMemory(), firmware("2.0.0", liar), liar, profile(noWayBack),
                UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isEqualTo("health check printed '1.9.9', expected 2.0.0; rolling back to 1.0.0 "
                + "failed: the profile has no rollbackCommand, so there is no way back to 1.0.0: 2.0.0 stays "
                + "installed as its hooks left it; 2.0.0 is left as the hooks left it: check the server");
        assertThat(read("active")).isEqualTo("2.0.0");
        assertThat(unitJournals()).singleElement().satisfies(journal -> assertThat(journal)
                .containsSubsequence("previous 1.0.0", "switched 2.0.0", "health failed health check printed "
                        + "'1.9.9', expected 2.0.0", "rollback-failed rolling back to 1.0.0 failed: the profile has no "
                        + "rollbackCommand, so there is no way back to 1.0.0: 2.0.0 stays installed as its hooks left "
                        + "it"));
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void failingInstallHookRollsBack(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path image = image("2.0.0", "2.0.0");
        ProductProfile.Installer broken = new ProductProfile.Installer("script", "", "echo 'flash chip busy' >&2;"
                + " exit 3", "", HOOKS.rollbackCommand(), "", "");

        ServerOutcome outcome = install(Journal.inMemory(), firmware("2.0.0", image), image, profile(broken),
                UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("installing 2.0.0 failed: the install command failed with exit code "
                + "3: flash chip busy; rolled back to 1.0.0 (verified)");
        assertThat(read("active")).isEqualTo("1.0.0");
    }

    @Test
    void scriptStrategyWithoutInstallCommandIsRefusedBeforeAnythingChanges() throws IOException {
        start(false);
        Path image = image("2.0.0", "2.0.0");
        ProductProfile.Installer empty = new ProductProfile.Installer("script", "", "", "", "", "", "");
        List<Path> before = listing();

        assertThatThrownBy(() -> install(Journal.inMemory(), firmware("2.0.0", image), image, profile(empty),
                UnaryOperator.identity()))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release fw/2.0.0 (firmware) cannot be installed: the script strategy needs an "
                        + "installCommand, and the product profile has none: set installCommand (and "
                        + "rollbackCommand, for a way back).");
        assertThat(listing()).isEqualTo(before);
    }

    /** The controller dies while the unit's health check runs; the unit ends alone; a new controller reads it. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitFinishesAloneAfterTheControllerDiedAndTheHooksAreNotRunAgain(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path image = image("2.0.0", "2.0.0");
        Release release = firmware("2.0.0", image);
        Files.delete(root.resolve("gate"));
        Journal first = Journal.inMemory();

        assertThatThrownBy(() -> install(first, release, image, profile(HOOKS), s -> s.dieWhileRunning(
                ScriptInstallTest::startsAUnit, () -> unitJournalSays("switched 2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        Files.createFile(root.resolve("gate"));
        Awaitility.await("the unit ends alone on the server").atMost(WAIT)
                .until(() -> unitJournalSays(UnitReport.SWITCHED_HEALTHY));

        ServerOutcome outcome = install(copy(first), release, image, profile(HOOKS), UnaryOperator.identity());

        assertThat(outcome).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(last.commands()).noneMatch(ScriptInstallTest::startsAUnit);
        assertThat(last.sentBytes()).isZero();
        assertThat(Files.readAllLines(root.resolve("hooks.log")))
                .filteredOn(line -> line.startsWith("install ")).hasSize(1);
        assertThat(read("active")).isEqualTo("2.0.0");
        assertThat(root.resolve("staging")).isEmptyDirectory();
    }

    /** The unit is killed after the hooks ran, as when the server goes down: the next unit runs them again. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void unitThatDiedIsRunAgainAndItsIdempotentHooksInstallOnce(boolean busyBoxOnly) throws IOException {
        start(busyBoxOnly);
        Path image = image("2.0.0", "2.0.0");
        Release release = firmware("2.0.0", image);
        Files.delete(root.resolve("gate"));
        Journal first = Journal.inMemory();
        assertThatThrownBy(() -> install(first, release, image, profile(HOOKS), s -> s.dieWhileRunning(
                ScriptInstallTest::startsAUnit, () -> unitJournalSays("switched 2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        killTheUnit(first.entries().get(JournalKeys.UNIT));
        Files.createFile(root.resolve("gate"));

        ServerOutcome outcome = install(copy(first), release, image, profile(HOOKS), UnaryOperator.identity());

        assertThat(outcome).as(() -> first.entries() + "\n" + events.stream().map(StepEvent::toString).collect(java.util.stream.Collectors.joining("\n"))).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(Files.readAllLines(root.resolve("hooks.log")))
                .filteredOn(line -> line.startsWith("install ")).hasSize(2);
        assertThat(unitJournals()).hasSize(2).allSatisfy(journal -> assertThat(journal)
                .containsSubsequence("previous 1.0.0", "switched 2.0.0"));
        assertThat(read("active")).isEqualTo("2.0.0");
        assertThat(root.resolve("slot-2.0.0")).hasSameBinaryContentAs(image);
    }

    private void start(boolean busyBoxOnly) throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name(busyBoxOnly ? "busybox" : "gnu");
        if (busyBoxOnly) {
            options.busyBoxOnly();
        }
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd or BusyBox is not installed");
        sshd = OpenSshServer.start(temp.resolve("sshd"), options);
        server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        root = Files.createDirectories(sshd.root().resolve(FIRMWARE));
        Files.writeString(root.resolve("active"), "1.0.0\n");
        Files.writeString(root.resolve("slot-1.0.0"), "1.0.0\n");
        Files.createFile(root.resolve("gate"));
    }

    private static ProductProfile profile(ProductProfile.Installer installer) {
        return new ProductProfile(FIRMWARE, "$HOME/" + FIRMWARE, "cat active",
                "while [ ! -e gate ]; do sleep 0.1; done; cat \"slot-$(cat active)\"", "semantic",
                ProductProfile.DEFAULT_BUSY_MARKER, installer);
    }

    /** A firmware image whose selected slot answers {@code answer}. */
    private Path image(String version, String answer) throws IOException {
        return Files.writeString(temp.resolve(FIRMWARE + "-" + version + "-" + answer + ".bin"), answer + "\n");
    }

    private static Release firmware(String version, Path image) throws IOException {
        byte[] bytes = Files.readAllBytes(image);
        return new Release(FIRMWARE, version, "firmware", Archives.sha256(bytes),
                bytes.length, FIRMWARE + "-" + version + ".bin", Instant.now());
    }

    private ServerOutcome install(Journal journal, Release release, Path image, ProductProfile profile,
                                  UnaryOperator<DyingSession> death) {
        SshTransport transport = new SshTransport(SshSettings.defaults(), trust);
        try {
            DyingSession session = death.apply(new DyingSession(transport.connect(server), transport::close));
            last = session;
            return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3).install(session,
                    () -> session.isOpen() ? transport.connect(server) : dead(), profile, release, open(image),
                    new StepReporter("rollout-1", server.name(), events::add),
                    ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, journal);
        } finally {
            transport.close();
        }
    }

    private static org.fleetup.api.transport.Session dead() {
        throw new ControllerDied("before reconnecting");
    }

    private static boolean startsAUnit(String command) {
        return command.contains("sh -c 'mode=$1");
    }

    private String read(String file) throws IOException {
        return Files.readString(root.resolve(file), StandardCharsets.UTF_8).strip();
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(sshd.root())) {
            return files.sorted().toList();
        }
    }

    private List<List<String>> unitJournals() {
        Path units = root.resolve(SwitchUnit.DIRECTORY);
        if (!Files.isDirectory(units)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(units)) {
            return files.filter(p -> p.toString().endsWith(".journal")).map(ScriptInstallTest::lines).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean unitJournalSays(String line) {
        return unitJournals().stream().anyMatch(journal -> journal.contains(line));
    }

    private void killTheUnit(String unit) throws IOException {
        long pid = Long.parseLong(Files.readAllLines(root.resolve(SwitchUnit.journal(unit))).get(0)
                .substring("pid ".length()));
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        Awaitility.await("the unit is gone").atMost(WAIT).until(() -> !handle.isAlive());
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a new controller finds in the inventory: the same entries. */
    private static Journal copy(Journal journal) {
        Journal copied = Journal.inMemory();
        copied.record(StepState.PENDING, "resumed", journal.entries());
        return copied;
    }

    private static Supplier<InputStream> open(Path file) {
        return () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
