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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A release that reboots the server, against the simulator's REBOOT fault: its {@code reboot} (first on the PATH)
 * takes the host away, which comes back after a while with a new boot id in {@code <host root>/.sim/boot_id}, the
 * simulated {@code /proc/sys/kernel/random/boot_id} (read here by the profile's bootIdCommand). Judged by the host's
 * files: where {@code current} points, the boot id, and the units' journals.
 */
class RebootInstallTest {

    private static final String BOOT_ID_COMMAND = "cat \"$HOME/.sim/boot_id\"";

    private static final RebootProof.Limits SHORT_WAIT = new RebootProof.Limits(Duration.ofSeconds(30),
            Duration.ofMillis(500), Duration.ofSeconds(1));

    private static final RebootProof.Limits VERY_SHORT_WAIT = new RebootProof.Limits(Duration.ofSeconds(4),
            Duration.ofMillis(500), Duration.ofSeconds(1));

    @TempDir
    Path temp;

    private SshTransport transport;
    private SimulatedFleet fleet;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();
    /** The host keys an operator would trust of the servers each test starts. */
    private final ServerTrust trust = ServerTrust.inMemory();

    @BeforeEach
    void startTransport() {
        transport = new SshTransport(SshSettings.defaults(), trust);
    }

    @AfterEach
    void stop() {
        transport.close();
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void firmwareIsSwitchedThenTheServerRebootsProvenByItsBootIdThenChecked() throws IOException {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);
        String bootBefore = bootId(host);
        Journal journal = Journal.inMemory();

        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.AUTO), "firmware", SHORT_WAIT,
                journal, events::add);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(bootId(host)).isNotEqualTo(bootBefore);
        assertThat(journal.entries()).containsEntry(JournalKeys.BOOT_ID, bootBefore)
                .hasEntrySatisfying(JournalKeys.REBOOT_ORDERED, order -> assertThat(order).endsWith(" " + bootBefore))
                .containsKey(JournalKeys.CHECK_UNIT);
        assertThat(events).anySatisfy(event -> assertThat(event.detail())
                .isEqualTo(host.name() + " rebooted: boot id " + bootId(host) + ", was " + bootBefore));
        assertThat(app.unitJournals()).anySatisfy(lines -> assertThat(lines)
                .containsSubsequence("previous releases/1.4.2", "switched releases/2.0.0", "switched-unchecked"));
        assertThat(app.unitJournals()).anySatisfy(lines -> assertThat(lines)
                .containsSubsequence("switched releases/2.0.0", "health ok", "switched-healthy"));
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void anApplicationReleaseDoesNotRebootWhenTheProfileSaysAuto() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);
        String bootBefore = bootId(host);

        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.AUTO), "application", SHORT_WAIT,
                Journal.inMemory(), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(bootId(host)).isEqualTo(bootBefore);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    /** Failing after the reboot: current goes back, the server reboots into the old release, which is checked. */
    @Test
    void failingCheckAfterTheRebootSwitchesBackAndRebootsIntoThePreviousRelease() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT, Fault.HEALTH_FAILS);
        String bootBefore = bootId(host);

        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application", SHORT_WAIT,
                Journal.inMemory(), events::add);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("health check failed with exit code 1: demo-app 2.0.0: cannot start "
                + "(simulated HEALTH_FAILS); rolled back to 1.4.2 (verified)");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(bootId(host)).isNotEqualTo(bootBefore);
        assertThat(events.stream().filter(e -> e.detail().startsWith(host.name() + " rebooted: "))).hasSize(2);
        assertThat(app.unitJournals()).anySatisfy(lines -> assertThat(lines).containsSubsequence(
                "switched releases/2.0.0", "health failed health check failed with exit code 1: demo-app 2.0.0: "
                        + "cannot start (simulated HEALTH_FAILS)", "switched releases/1.4.2",
                UnitReport.SWITCHED_BACK_UNCHECKED));
        assertThat(app.unitJournals()).anySatisfy(lines -> assertThat(lines)
                .containsSubsequence("health ok", UnitReport.ROLLED_BACK));
        assertThat(app.leftovers()).isEmpty();
    }

    /** The controller's own confirmation refuses the release the server rebooted into: back, by another reboot. */
    @Test
    void confirmationRefusedAfterTheRebootSwitchesBackAndRebootsAgain() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);
        String bootBefore = bootId(host);
        ReleaseDirectoryInstall.Confirmation refusing = session -> Optional.of("inspection after the switch read "
                + "1.9.9, expected 2.0.0");

        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application", SHORT_WAIT,
                Journal.inMemory(), events::add, refusing);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("inspection after the switch read 1.9.9, expected 2.0.0; rolled back "
                + "to 1.4.2 (verified)");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(bootId(host)).isNotEqualTo(bootBefore);
        assertThat(events.stream().filter(e -> e.detail().startsWith(host.name() + " rebooted: "))).hasSize(2);
        assertThat(app.unitJournals()).anySatisfy(lines -> assertThat(lines)
                .containsSubsequence("switched releases/1.4.2", UnitReport.SWITCHED_BACK_UNCHECKED));
        assertThat(app.leftovers()).isEmpty();
    }

    @Test
    void aServerWhoseBootIdDoesNotChangeDidNotRebootAndIsRolledBack() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);
        String bootBefore = bootId(host);

        ServerOutcome outcome = install(host, profile("true", Activation.Reboot.ALWAYS), "application",
                VERY_SHORT_WAIT, Journal.inMemory(), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).isEqualTo("the server did not reboot within 4 s: its boot id is still "
                + bootBefore + "; rolled back to 1.4.2 (verified)");
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/1.4.2");
        assertThat(ApplicationDirectory.of(host).release("2.0.0")).doesNotExist();
    }

    @Test
    void aRebootCommandThatFailsIsToldAtOnceAndRolledBack() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);

        ServerOutcome outcome = install(host, profile("echo 'reboot: not permitted' >&2; exit 4",
                Activation.Reboot.ALWAYS), "application", SHORT_WAIT, Journal.inMemory(), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("the reboot command 'echo 'reboot: not permitted' >&2; exit 4' failed "
                + "with exit code 4: reboot: not permitted, so the server did not reboot");
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/1.4.2");
    }

    @Test
    void aServerThatDoesNotComeBackInTimeFailsSayingItCannotBeRolledBack() {
        SimulatedHost host = simulated(Duration.ofSeconds(600), Fault.REBOOT);

        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application",
                VERY_SHORT_WAIT, Journal.inMemory(), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith("the server did not come back within 4 s after the reboot (")
                .contains("it cannot be rolled back without a connection: current points to 2.0.0, not checked");
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    /** The controller dies while the server reboots: a new one reconnects, compares the boot ids, and goes on. */
    @Test
    void controllerDyingDuringTheRebootResumesByProvingItThenChecks() {
        SimulatedHost host = simulated(Duration.ofSeconds(2), Fault.REBOOT);
        String bootBefore = bootId(host);
        Journal journal = Journal.inMemory();

        dying(host, journal, e -> e.state() == StepState.RECONNECTING && e.detail().startsWith("waiting for "));
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application",
                SHORT_WAIT, copy(journal), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
        assertThat(bootId(host)).isNotEqualTo(bootBefore);
        assertThat(events).anySatisfy(e -> assertThat(e.detail()).startsWith("a reboot was ordered before this "
                + "controller started: waiting for " + host.name() + " to come back"));
        assertThat(events).anySatisfy(e -> assertThat(e.detail()).startsWith("resuming: a reboot was ordered"));
        assertThat(ApplicationDirectory.of(host).leftovers()).isEmpty();
    }

    /** Killed after the order was journaled but before it was sent: the new controller finds no order, and sends it. */
    @Test
    void controllerDyingBeforeTheOrderReachedTheServerOrdersItOnResume() {
        SimulatedHost host = simulated(Duration.ofSeconds(1), Fault.REBOOT);
        String bootBefore = bootId(host);
        Journal journal = Journal.inMemory();

        dying(host, journal, e -> e.state() == StepState.RESTARTING && e.detail().startsWith("rebooting "));
        assertThat(bootId(host)).isEqualTo(bootBefore);
        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application",
                SHORT_WAIT, copy(journal), events::add);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(bootId(host)).isNotEqualTo(bootBefore);
        assertThat(ApplicationDirectory.of(host).current()).isEqualTo("releases/2.0.0");
    }

    /** Killed while the server reboots back into the previous release: the new controller proves it and checks it. */
    @Test
    void controllerDyingDuringTheRebootBackResumesAndEndsRolledBack() {
        SimulatedHost host = simulated(Duration.ofSeconds(2), Fault.REBOOT, Fault.HEALTH_FAILS);
        Journal journal = Journal.inMemory();
        AtomicInteger reboots = new AtomicInteger();

        dying(host, journal, e -> e.state() == StepState.RESTARTING && e.detail().startsWith("rebooting ")
                && reboots.incrementAndGet() == 2);
        assertThat(journal.entries()).containsKey(JournalKeys.REBOOT_BACK_ORDERED);
        ServerOutcome outcome = install(host, profile("reboot", Activation.Reboot.ALWAYS), "application",
                SHORT_WAIT, copy(journal), events::add);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).startsWith("health check failed with exit code 1: demo-app 2.0.0: cannot start "
                + "(simulated HEALTH_FAILS); rolled back to 1.4.2 (verified)");
        assertThat(app.current()).isEqualTo("releases/1.4.2");
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).isEmpty();
    }

    /**
     * On real OpenSSH servers (GNU, BusyBox only): the reboot is ordered detached, so the order returns at once while
     * its command goes on; a "reboot" that only gives the box a new boot id (a file here) is proven by it, and what the
     * order left on the server goes with the cleanup.
     */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void openSshRebootIsOrderedDetachedAndProvenByTheNewBootId(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = openSsh(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path bootIdFile = Files.writeString(sshd.root().resolve("boot_id"), "first-boot\n");
            ProductProfile profile = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
                    "cat current/VERSION", "current/bin/demo-app --version", "semantic", ".busy",
                    new Activation("", Activation.Reboot.ALWAYS, "sleep 2; echo second-boot > \"$HOME/boot_id\"",
                            "cat \"$HOME/boot_id\"", "", "", ""));
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            Server server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                    LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
            Journal journal = Journal.inMemory();

            ServerOutcome outcome;
            try (Session session = transport.connect(server)) {
                outcome = new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3, InstallableState.Limits.DEFAULTS,
                        SHORT_WAIT).install(session, () -> transport.connect(server), profile,
                        Archives.release("2.0.0", archive), open(archive),
                        new StepReporter("rollout-1", server.name(), events::add),
                        ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, journal);
            }

            ApplicationDirectory app = new ApplicationDirectory(sshd.root().resolve(DemoApplication.PRODUCT));
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
            assertThat(Files.readString(bootIdFile).strip()).isEqualTo("second-boot");
            assertThat(journal.entries()).containsEntry(JournalKeys.BOOT_ID, "first-boot");
            assertThat(events).anySatisfy(e -> assertThat(e.detail())
                    .isEqualTo(server.name() + " rebooted: boot id second-boot, was first-boot"));
            // It was waited for: the order did not wait for its command.
            assertThat(events).anySatisfy(e -> assertThat(e.detail()).startsWith("waiting for " + server.name()
                    + " to come back from its reboot: it answers with the same boot id first-boot"));
            assertThat(app.current()).isEqualTo("releases/2.0.0");
            assertThat(app.leftovers()).isEmpty();
        }
    }

    private void dying(SimulatedHost host, Journal journal, Predicate<StepEvent> at) {
        StepListener killing = event -> {
            events.add(event);
            if (at.test(event)) {
                throw new DyingSession.ControllerDied("at " + event.state() + " " + event.detail());
            }
        };
        try {
            install(host, profile("reboot", Activation.Reboot.ALWAYS), "application", SHORT_WAIT, journal, killing);
            throw new AssertionError("the controller did not die");
        } catch (DyingSession.ControllerDied expected) {
            // As a killed controller: whatever it had not journaled is lost.
        }
    }

    /** What a new controller finds in the inventory: the same entries. */
    private static Journal copy(Journal journal) {
        Journal copied = Journal.inMemory();
        copied.record(StepState.PENDING, "resumed", journal.entries());
        return copied;
    }

    private static ProductProfile profile(String rebootCommand, Activation.Reboot reboot) {
        return new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app", "cat current/VERSION",
                "current/bin/demo-app --version", "semantic", ".busy",
                new Activation("", reboot, rebootCommand, BOOT_ID_COMMAND, "", "", ""));
    }

    private OpenSshServer openSsh(boolean busyBoxOnly) {
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

    private static String bootId(SimulatedHost host) {
        try {
            return Files.readString(host.root().resolve(".sim/boot_id")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SimulatedHost simulated(Duration rebootFor, Fault... faults) {
        fleet = new SimulatedFleet(temp.resolve("fleet"), SimulatedFleet.DEFAULT_DROP_AFTER_BYTES,
                SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES, Duration.ZERO, rebootFor);
        SimulatedHost host = fleet.start("reboots", List.of(new HostSpec("1.4.2", Set.of(faults)))).get(0);
        trust.trust(fleet.server(host), host.hostKey());
        return host;
    }

    private ServerOutcome install(SimulatedHost host, ProductProfile profile, String kind, RebootProof.Limits limits,
                                  Journal journal, StepListener listener) {
        return install(host, profile, kind, limits, journal, listener, ReleaseDirectoryInstall.HEALTH_CHECK_ONLY);
    }

    private ServerOutcome install(SimulatedHost host, ProductProfile profile, String kind, RebootProof.Limits limits,
                                  Journal journal, StepListener listener,
                                  ReleaseDirectoryInstall.Confirmation confirmation) {
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Release plain = Archives.release("2.0.0", archive);
        Release release = new Release(plain.product(), plain.version(), kind, plain.sha256(), plain.size(),
                plain.fileName(), Instant.now());
        Server server = fleet.server(host);
        ReleaseDirectoryInstall install = new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3,
                InstallableState.Limits.DEFAULTS, limits);
        StepReporter steps = new StepReporter("rollout-1", host.name(), listener);
        // As the upgrader connects: a server that reboots after a controller's restart is waited for.
        try (Session session = install.connect(() -> transport.connect(server), journal, steps)) {
            return install.install(session, () -> transport.connect(server), profile, release, open(archive), steps,
                    confirmation, journal);
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
