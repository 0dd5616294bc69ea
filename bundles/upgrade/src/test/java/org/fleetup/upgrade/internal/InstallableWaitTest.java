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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.RolloutServer;
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
 * The installable-state check before anything is sent: a busy marker and the free space of the application root's
 * file system, waited for with back-off, against the simulator's BUSY fault and real OpenSSH servers (GNU's df and
 * BusyBox's). Judged by the servers' files: a server left not installable is exactly as it was.
 */
class InstallableWaitTest {

    /** The simulator's BUSY fault makes the marker this profile looks for by default: {@code <root>/.busy}. */
    private static final ProductProfile DEFAULT_MARKER_PROFILE = new ProductProfile(DemoApplication.PRODUCT,
            "$HOME/demo-app", "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    private static final InstallableState.Limits SHORT_BUDGET = new InstallableState.Limits(Duration.ofSeconds(3),
            Duration.ofSeconds(1), Duration.ofSeconds(1), 3);

    private static final InstallableState.Limits LONG_BUDGET = new InstallableState.Limits(Duration.ofSeconds(60),
            Duration.ofSeconds(1), Duration.ofSeconds(2), 3);

    private static final InstallableState.Limits NO_WAIT = new InstallableState.Limits(Duration.ZERO,
            Duration.ofSeconds(1), Duration.ofSeconds(1), 3);

    private static final InstallableState.Limits NO_ROOM = new InstallableState.Limits(Duration.ZERO,
            Duration.ofSeconds(1), Duration.ofSeconds(1), 1e12);

    @TempDir
    Path temp;

    private SshTransport transport;
    private SimulatedFleet fleet;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();
    /** The host keys an operator would trust of the servers each test starts. */
    private final ServerTrust trust = ServerTrust.inMemory();
    private final List<String> journalled = new CopyOnWriteArrayList<>();

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
    void busyServerFreedWithinTheBudgetIsWaitedForThenInstalled() {
        SimulatedHost host = simulated(Duration.ofSeconds(2), "1.4.2", Fault.BUSY);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));

        ServerOutcome outcome = install(host, DEFAULT_MARKER_PROFILE, LONG_BUDGET, archive, events::add);

        ApplicationDirectory app = ApplicationDirectory.of(host);
        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(app.current()).isEqualTo("releases/2.0.0");
        assertThat(app.answer()).isEqualTo("2.0.0");
        assertThat(ApplicationDirectory.of(host).path().resolve(".busy")).doesNotExist();
        assertThat(waits()).isNotEmpty().allSatisfy(detail -> assertThat(detail)
                .startsWith("the server is busy: the marker .busy exists"));
        assertThat(journalled).anySatisfy(entry -> assertThat(entry).startsWith("WAITING the server is busy"));
        // Nothing is sent while it waits.
        assertThat(events.stream().takeWhile(e -> e.state() != StepState.TRANSFERRING)
                .filter(e -> e.state() == StepState.WAITING)).isNotEmpty();
    }

    @Test
    void busyServerPastTheBudgetIsNotInstallableAndUnchanged() {
        SimulatedHost host = simulated(Duration.ofSeconds(600), "1.4.2", Fault.BUSY);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Map<String, String> before = tree(host.root());

        Instant start = Instant.now();
        ServerOutcome outcome = install(host, DEFAULT_MARKER_PROFILE, SHORT_BUDGET, archive, events::add);

        assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL
                + "the server is busy: the marker .busy exists");
        assertThat(outcome.to()).isEqualTo("1.4.2");
        assertThat(reportStatus(outcome)).isEqualTo(ReportStatus.NOT_INSTALLABLE);
        assertThat(tree(host.root())).isEqualTo(before);
        assertThat(waits()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(events).noneMatch(e -> e.state() == StepState.TRANSFERRING || e.state() == StepState.INSTALLING);
    }

    @Test
    void defaultMarkerUnderTheRootMakesTheServerBusy() throws IOException {
        SimulatedHost host = simulated(Duration.ZERO, "1.4.2");
        Files.writeString(ApplicationDirectory.of(host).path().resolve(".busy"), "maintenance\n");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Map<String, String> before = tree(host.root());

        ServerOutcome outcome = install(host, DEFAULT_MARKER_PROFILE, NO_WAIT, archive, events::add);

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL
                + "the server is busy: the marker .busy exists");
        assertThat(tree(host.root())).isEqualTo(before);
    }

    @Test
    void tooLittleSpaceIsNotInstallableAndUnchanged() {
        SimulatedHost host = simulated(Duration.ZERO, "1.4.2");
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Map<String, String> before = tree(host.root());

        ServerOutcome outcome = install(host, DEFAULT_MARKER_PROFILE, NO_ROOM, archive, events::add);

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL + "no space: ");
        assertThat(reportStatus(outcome)).isEqualTo(ReportStatus.NOT_INSTALLABLE);
        assertThat(tree(host.root())).isEqualTo(before);
    }

    @Test
    void firstInstallWithTooLittleSpaceLeavesNoRootBehind() {
        SimulatedHost host = simulated(Duration.ZERO, null);
        Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
        Map<String, String> before = tree(host.root());

        ServerOutcome outcome = install(host, DEFAULT_MARKER_PROFILE, NO_ROOM, archive, events::add);

        assertThat(outcome.detail()).startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL + "no space: ");
        assertThat(ApplicationDirectory.of(host).path()).doesNotExist();
        assertThat(tree(host.root())).isEqualTo(before);
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void openSshBusyMarkerRemovedWhileWaitingIsInstalled(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = openSsh(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path marker = sshd.root().resolve(DemoApplication.PRODUCT).resolve(".busy");
            Files.writeString(marker, "maintenance\n");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            // The maintenance ends while the upgrade waits: the marker goes at its first wait.
            StepListener freeing = event -> {
                events.add(event);
                if (event.state() == StepState.WAITING) {
                    try {
                        Files.deleteIfExists(marker);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };

            ServerOutcome outcome = install(sshd, LONG_BUDGET, archive, freeing);

            ApplicationDirectory app = new ApplicationDirectory(sshd.root().resolve(DemoApplication.PRODUCT));
            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
            assertThat(app.current()).isEqualTo("releases/2.0.0");
            assertThat(app.answer()).isEqualTo("2.0.0");
            assertThat(app.leftovers()).isEmpty();
            assertThat(waits()).singleElement().asString().startsWith("the server is busy: the marker .busy exists");
        }
    }

    /** The profile's busy command runs in the root within the same check: exit 0 is busy, its first line why. */
    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void openSshBusyCommandSaysWhyThenTheServerIsInstalledOnceItSaysNoMore(boolean busyBoxOnly) throws IOException {
        try (OpenSshServer sshd = openSsh(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path lock = sshd.root().resolve(DemoApplication.PRODUCT).resolve("backup.lock");
            Files.writeString(lock, "billing\n");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            ProductProfile profile = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
                    "cat current/VERSION", "current/bin/demo-app --version", "semantic", ".busy",
                    new Activation("", Activation.Reboot.NEVER, "reboot", Activation.DEFAULT_BOOT_ID_COMMAND, "", "",
                            "[ -e backup.lock ] || exit 1; echo; echo \"  backup of $(cat backup.lock) runs \"; "
                                    + "echo second line"));
            StepListener freeing = event -> {
                events.add(event);
                if (event.state() == StepState.WAITING) {
                    try {
                        Files.deleteIfExists(lock);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };

            ServerOutcome outcome = install(sshd, profile, LONG_BUDGET, archive, freeing);

            assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
            assertThat(new ApplicationDirectory(sshd.root().resolve(DemoApplication.PRODUCT)).current())
                    .isEqualTo("releases/2.0.0");
            assertThat(waits()).singleElement().asString()
                    .startsWith("the server is busy: the busy command says 'backup of billing runs': checking again");
        }
    }

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void openSshTooLittleSpaceIsNotInstallableAndUnchanged(boolean busyBoxOnly) {
        try (OpenSshServer sshd = openSsh(busyBoxOnly)) {
            DemoApplication.install(sshd.root(), "1.4.2");
            Path archive = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
            Path app = sshd.root().resolve(DemoApplication.PRODUCT);
            Map<String, String> before = tree(app);

            ServerOutcome outcome = install(sshd, NO_ROOM, archive, events::add);

            assertThat(outcome.state()).isEqualTo(StepState.FAILED);
            // df was read: the free space is a number of KiB, compared with a need no disk has.
            assertThat(outcome.detail()).matches(ReportStatus.NOT_INSTALLABLE_DETAIL
                    + "no space: \\d+ KiB free in /.*, the release needs about \\d+ KiB unpacked");
            assertThat(reportStatus(outcome)).isEqualTo(ReportStatus.NOT_INSTALLABLE);
            assertThat(tree(app)).isEqualTo(before);
        }
    }

    @Test
    void dfLinesAreReadFromTheEndWhateverTheNamesHold() {
        assertThat(InstallableState.availableKib(List.of(
                "Filesystem     1024-blocks      Used Available Capacity Mounted on",
                "/dev/sda1         61255492  31034776  27079380      54% /srv/my apps"))).contains(27079380L);
        assertThat(InstallableState.availableKib(List.of("Filesystem 1K-blocks Used Available Use% Mounted on",
                "map auto home         0         0         0 100% /home"))).contains(0L);
        assertThat(InstallableState.availableKib(List.of("df: /x: No such file or directory"))).isEmpty();
    }

    private List<String> waits() {
        return events.stream().filter(e -> e.state() == StepState.WAITING).map(StepEvent::detail).toList();
    }

    private static ReportStatus reportStatus(ServerOutcome outcome) {
        return ReportStatus.of(new RolloutServer("rollout-1", outcome.server(), outcome.state(), outcome.from(),
                outcome.to(), outcome.detail(), Instant.now()));
    }

    private SimulatedHost simulated(Duration busyFor, String version, Fault... faults) {
        fleet = new SimulatedFleet(temp.resolve("fleet"), SimulatedFleet.DEFAULT_DROP_AFTER_BYTES,
                SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES, busyFor, Duration.ofSeconds(1));
        SimulatedHost host = fleet.start("up", List.of(new HostSpec(version, Set.of(faults)))).get(0);
        trust.trust(fleet.server(host), host.hostKey());
        return host;
    }

    private ServerOutcome install(SimulatedHost host, ProductProfile profile, InstallableState.Limits limits,
                                  Path archive, StepListener listener) {
        Server server = fleet.server(host);
        try (Session session = transport.connect(server)) {
            return install(session, () -> transport.connect(server), profile, limits, archive, listener);
        }
    }

    private ServerOutcome install(OpenSshServer sshd, InstallableState.Limits limits, Path archive,
                                  StepListener listener) {
        return install(sshd, DEFAULT_MARKER_PROFILE, limits, archive, listener);
    }

    private ServerOutcome install(OpenSshServer sshd, ProductProfile profile, InstallableState.Limits limits,
                                  Path archive, StepListener listener) {
        Server server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        try (Session session = transport.connect(server)) {
            return install(session, () -> transport.connect(server), profile, limits, archive, listener);
        }
    }

    private ServerOutcome install(Session session, Supplier<Session> reconnect, ProductProfile profile,
                                  InstallableState.Limits limits, Path archive, StepListener listener) {
        Release release = Archives.release("2.0.0", archive);
        return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3, limits).install(session, reconnect, profile,
                release, open(archive), new StepReporter("rollout-1", session.server(), listener),
                ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, recording(Journal.inMemory()));
    }

    private Journal recording(Journal journal) {
        return new Journal() {
            @Override
            public Map<String, String> entries() {
                return journal.entries();
            }

            @Override
            public void record(StepState step, String detail, Map<String, String> changes) {
                journalled.add(step + " " + detail);
                journal.record(step, detail, changes);
            }
        };
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

    /** Every file, directory and link under {@code root}, with its content's SHA-256, its target or its kind. */
    private static Map<String, String> tree(Path root) {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.toList()) {
                String name = root.relativize(path).toString();
                if (Files.isSymbolicLink(path)) {
                    tree.put(name, "-> " + Files.readSymbolicLink(path));
                } else if (Files.isDirectory(path)) {
                    tree.put(name, "dir");
                } else {
                    tree.put(name, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(Files.readAllBytes(path))) + " " + Files.getLastModifiedTime(path));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return tree;
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
