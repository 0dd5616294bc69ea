package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.simulator.internal.HostLauncher;
import org.fleetup.ssh.SshSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each fault of the simulator met by a whole rollout (the engine, its routes, a real inventory, SSH to simulated
 * servers), with short deadlines: how the report tells each server, and what is on its disk afterwards. Every faulty
 * server shares its rollout with a healthy one, which must end upgraded whatever happens beside it.
 *
 * <p>Proven elsewhere, and not repeated here: a wave of unreachable servers over its max errors pausing the rollout
 * with later waves untouched on disk, then resumed
 * ({@link RolloutWavesTest#aWaveWhoseFailuresReachItsMaxErrorsPausesTheRolloutAndLaterWavesAreUntouchedUntilResumed};
 * here the threshold is reached by a rolled-back canary, and the paused rollout is cancelled); a running rollout
 * cancelled, the server in flight finishing and the others {@code not-started} and untouched
 * ({@link CancelTest#aRunningRolloutCancelledStartsNoNewServerAndLetsTheOneInFlightFinish}); a controller restarted
 * with the same configuration mid-rollout ({@link RolloutHandOverTest}; here the configuration changes). A REBOOT
 * host is rebooted by a profile that says {@code reboot = always}: its {@code reboot} takes it away for
 * {@link SimulatedFleet#DEFAULT_REBOOT_SECONDS} and it comes back with a new {@code $HOME/.sim/boot_id}. Real OpenSSH servers, where the timing of hung commands is true,
 * are {@link OpenSshRolloutTest}'s.
 */
class SimulatedFaultRolloutTest {

    private static final HostSpec GOOD = new HostSpec("1.4.2", Set.of());
    /** A healthy server that can reboot: the companion when the profile reboots every server. */
    private static final HostSpec REBOOTS = new HostSpec("1.4.2", Set.of(Fault.REBOOT));
    /** One command (health check, checksum, version) may run this long. */
    private static final int COMMAND_SECONDS = 3;
    /** The simulated {@code /proc/sys/kernel/random/boot_id}, which a REBOOT host renews as it comes back. */
    private static final String BOOT_ID_COMMAND = "cat \"$HOME/.sim/boot_id\"";

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;

    /** Short deadlines everywhere, and a busy marker that stays longer than any test. */
    private static TestController.Tuning tuning() {
        return new TestController.Tuning(Duration.ofMinutes(10),
                new SshSettings(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(30), 64 * 1024),
                Map.of("commandTimeoutSeconds", COMMAND_SECONDS, "installableWaitSeconds", 2,
                        "installableFirstBackOffSeconds", 1, "installableMaxBackOffSeconds", 1),
                Map.of("commandTimeoutSeconds", COMMAND_SECONDS));
    }

    /**
     * As {@link #tuning()}, with a profile whose releases reboot the server after the switch, proven by the simulated
     * boot id, waited for up to 30 s.
     */
    private static TestController.Tuning rebooting() {
        TestController.Tuning tuning = tuning();
        Map<String, Object> upgrade = new HashMap<>(tuning.upgrade());
        upgrade.putAll(Map.of("rebootWaitSeconds", 30, "rebootFirstBackOffSeconds", 1,
                "rebootMaxBackOffSeconds", 1));
        return new TestController.Tuning(tuning.busyFor(), tuning.ssh(), upgrade, tuning.inspection(),
                Map.of("reboot", "always", "rebootCommand", "reboot", "bootIdCommand", BOOT_ID_COMMAND));
    }

    private List<SimulatedHost> fleet(HostSpec... specs) throws Exception {
        return fleet(tuning(), specs);
    }

    private List<SimulatedHost> fleet(TestController.Tuning tuning, HostSpec... specs) throws Exception {
        controller = new TestController(dir, tuning);
        controller.release("2.0.0");
        routing = controller.start();
        return controller.servers("web", List.of(specs));
    }

    @AfterEach
    void close() {
        if (controller != null) {
            controller.close();
            // What READ_ONLY and ROLLBACK_FAILS made unwritable (immutable, as root) must go with the test's directory.
            controller.fleet.hosts().forEach(host -> HostLauncher.unlockFaults(host.root()));
        }
    }

    /** One wave of every server, never halted: this is about each server's ending. */
    private Rollout start(List<SimulatedHost> hosts, Instant at) {
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(hosts), 2, at,
                false, "tester", new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                        OnError.PAUSE, ServerOrder.NAME, 2, false)));
    }

    private Rollout ended(Rollout rollout) throws Exception {
        return routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private Map<String, RolloutServer> servers(Rollout rollout) {
        return routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
    }

    private String report(Rollout rollout, SimulatedHost host) {
        return ReportStatus.of(servers(rollout).get(host.name())).label();
    }

    private List<StepState> steps(Rollout rollout, SimulatedHost host) {
        return routing.history(rollout.id(), host.name()).stream().map(StepRecord::step).toList();
    }

    private static AppFiles files(SimulatedHost host) {
        return AppFiles.under(host.root());
    }

    /** The healthy companion: upgraded, verified, clean. */
    private void upgraded(Rollout rollout, SimulatedHost host) {
        assertThat(report(rollout, host)).as(host.name()).isEqualTo("upgraded");
        AppFiles app = files(host);
        assertThat(app.current()).as(host.name()).isEqualTo("releases/2.0.0");
        assertThat(app.currentVersion()).isEqualTo("2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("2.0.0")).isEmpty();
        assertThat(app.leftovers()).isEmpty();
    }

    /** Nothing of 2.0.0 on the server: 1.4.2 runs, intact, as before. */
    private static void untouched(SimulatedHost host) {
        AppFiles app = files(host);
        assertThat(app.current()).as(host.name()).isEqualTo("releases/1.4.2");
        assertThat(app.currentVersion()).isEqualTo("1.4.2");
        assertThat(app.filesNotMatchingTheirManifest("1.4.2")).isEmpty();
        assertThat(app.release("2.0.0")).doesNotExist();
        assertThat(app.leftovers()).as(host.name() + " leftovers").isEmpty();
    }

    @Test
    void aFullDiskFailsItsServerWhichKeepsItsReleaseAndTheOtherIsUpgraded() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.DISK_FULL)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(report(ended, hosts.get(0))).isEqualTo("failed");
        assertThat(servers(ended).get("web-01").detail()).contains("full disk");
        untouched(hosts.get(0));
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aReadOnlyReleasesDirectoryFailsItsServerWhichKeepsItsRelease() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.READ_ONLY)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("failed");
        assertThat(servers(ended).get("web-01").detail()).containsIgnoringCase("releases");
        untouched(hosts.get(0));
        assertThat(files(hosts.get(0)).releases()).containsExactly("1.4.2");
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aTransferDroppedMidwayIsResumedFromWhereItStoppedAndTheServerUpgraded() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.DROP_CONNECTION)), GOOD);
        SimulatedHost dropping = hosts.get(0);
        Path staging = dropping.root().resolve("demo-app/staging");
        long size = Files.size(dir.resolve("demo-app-2.0.0.tar.gz"));
        assertThat(size).as("more than one session may write before it drops")
                .isGreaterThan(SimulatedFleet.DEFAULT_DROP_AFTER_BYTES);
        // Each send: where it started, and what the staging file on the server held then.
        List<long[]> sends = new CopyOnWriteArrayList<>();
        Pattern sending = Pattern.compile("sending .* to (\\S+)(?: from byte (\\d+))?$");
        Rollout rollout = start(hosts, Instant.now().plusSeconds(1));
        AutoCloseable watch = routing.watch(rollout.id(), event -> {
            Matcher send = sending.matcher(event.detail());
            if (event.server().equals(dropping.name()) && event.state() == StepState.TRANSFERRING
                    && event.total() == 0 && send.matches()) {
                sends.add(new long[] {send.group(2) == null ? 0 : Long.parseLong(send.group(2)),
                        sizeOf(Path.of(send.group(1)))});
            }
        });

        Rollout ended = ended(rollout);
        watch.close();

        assertThat(report(ended, dropping)).as(servers(ended).get(dropping.name()).detail()).isEqualTo("upgraded");
        assertThat(sends).as("sent again after the drop").hasSizeGreaterThan(1);
        assertThat(sends.get(0)[0]).isZero();
        for (int i = 1; i < sends.size(); i++) {
            assertThat(sends.get(i)[0]).as("send " + (i + 1) + " goes on from the staging file's size on the server")
                    .isGreaterThan(sends.get(i - 1)[0]).isEqualTo(sends.get(i)[1]);
        }
        // No send can put more on the wire than what was left of the artifact from where it started.
        long sentAtMost = sends.stream().mapToLong(send -> size - send[0]).sum();
        assertThat(sentAtMost).as("bytes sent in all, at most").isLessThan(2 * size);
        assertThat(steps(ended, dropping)).contains(StepState.RECONNECTING);
        assertThat(staging).isEmptyDirectory();
        upgraded(ended, dropping);
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aCorruptedTransferIsSentAgainThenVerifiedAndTheServerUpgraded() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.CORRUPT_TRANSFER)), GOOD);

        Rollout ended = ended(start(hosts, null));

        List<StepRecord> history = routing.history(ended.id(), "web-01");
        assertThat(history).filteredOn(step -> step.step() == StepState.TRANSFERRING)
                .extracting(StepRecord::detail).anySatisfy(detail -> assertThat(detail).contains("again, attempt 2"));
        assertThat(history).filteredOn(step -> step.step() == StepState.VERIFYING).hasSizeGreaterThanOrEqualTo(2);
        upgraded(ended, hosts.get(0));
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aBusyServerIsWaitedForThenToldNotInstallableWithNothingChanged() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.BUSY)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("not-installable");
        assertThat(ended.detail()).isEqualTo("1 not-installable, 1 upgraded");
        assertThat(servers(ended).get("web-01").detail()).startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL)
                .contains("busy");
        assertThat(steps(ended, hosts.get(0))).contains(StepState.WAITING).doesNotContain(StepState.TRANSFERRING);
        untouched(hosts.get(0));
        assertThat(hosts.get(0).root().resolve("demo-app/staging")).doesNotExist();
        assertThat(files(hosts.get(0)).unitJournals()).isEmpty();
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersFailsWithinItsDeadlineAlone() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.HUNG)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("failed");
        List<StepRecord> history = routing.history(ended.id(), "web-01");
        assertThat(Duration.between(history.get(0).at(), history.get(history.size() - 1).at()))
                .as("the connect and login deadlines, 2 s each").isLessThan(Duration.ofSeconds(8));
        untouched(hosts.get(0));
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aFailingHealthCheckIsRolledBackAndTheFailedReleaseRemoved() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.HEALTH_FAILS)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("rolled-back");
        assertThat(ended.detail()).as("the rollout's count, in the report's words")
                .isEqualTo("1 rolled-back, 1 upgraded");
        assertThat(servers(ended).get("web-01").detail()).contains("simulated HEALTH_FAILS")
                .contains("rolled back to 1.4.2 (verified)");
        untouched(hosts.get(0));
        assertThat(files(hosts.get(0)).unitJournals()).as("the switch's record stays").hasSize(1);
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aHealthCheckThatNeverReturnsIsCutAtItsDeadlineAndRolledBack() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.HEALTH_HANGS)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("rolled-back");
        assertThat(servers(ended).get("web-01").detail())
                .contains("health check did not end within " + COMMAND_SECONDS + " s");
        untouched(hosts.get(0));
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aConnectionDroppedRightAfterTheSwitchIsReconnectedAndTheServerEndsVerified() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.DROP_AFTER_SWITCH)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(steps(ended, hosts.get(0))).contains(StepState.RECONNECTING);
        upgraded(ended, hosts.get(0));
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aRollbackThatFailsIsReportedFailedWithCurrentWhereItIs() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.ROLLBACK_FAILS)), GOOD);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, hosts.get(0))).isEqualTo("failed");
        assertThat(servers(ended).get("web-01").detail()).contains("simulated ROLLBACK_FAILS")
                .contains("current still points to 2.0.0");
        AppFiles app = files(hosts.get(0));
        assertThat(app.current()).as("the truth the report tells").isEqualTo("releases/2.0.0");
        assertThat(app.filesNotMatchingTheirManifest("1.4.2")).as("the old release kept for a way back").isEmpty();
        upgraded(ended, hosts.get(1));
    }

    @Test
    void aRolledBackCanaryReachesItsMaxErrorsAndLaterWavesAreUntouchedThenCancelledNotStarted() throws Exception {
        List<SimulatedHost> hosts = fleet(new HostSpec("1.4.2", Set.of(Fault.HEALTH_FAILS)), GOOD, GOOD);

        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 1, null, false, "tester", new RolloutOptions(Size.count(1),
                        Size.count(1), Size.count(1), OnError.PAUSE, ServerOrder.NAME, 1, false)));
        assertThat(ended(rollout).status()).isEqualTo(RolloutStatus.PAUSED);

        assertThat(routing.require(rollout.id()).detail())
                .isEqualTo("wave 1: 1 of 1 servers failed, reaching its max errors of 1");
        assertThat(routing.waves(rollout.id())).extracting(Wave::status)
                .containsExactly(WaveStatus.HALTED, WaveStatus.PENDING, WaveStatus.PENDING);
        assertThat(report(rollout, hosts.get(0))).isEqualTo("rolled-back");
        untouched(hosts.get(0));
        for (SimulatedHost later : hosts.subList(1, 3)) {
            assertThat(report(rollout, later)).isEqualTo("pending");
            assertThat(routing.history(rollout.id(), later.name())).isEmpty();
            untouched(later);
        }

        routing.cancel(rollout.id(), "tester");
        Rollout cancelled = await().atMost(Duration.ofSeconds(30))
                .until(() -> routing.require(rollout.id()), r -> r.status() == RolloutStatus.CANCELLED);

        assertThat(cancelled.detail()).contains("cancelled by tester");
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::server, ReportStatus::of)
                .containsExactly(tuple("web-01", ReportStatus.ROLLED_BACK), tuple("web-02", ReportStatus.NOT_STARTED),
                        tuple("web-03", ReportStatus.NOT_STARTED));
        hosts.forEach(SimulatedFaultRolloutTest::untouched);
    }

    @Test
    void aConfigurationChangeMidRolloutHandsItOverAndItEndsCorrect() throws Exception {
        List<SimulatedHost> hosts = fleet(GOOD, GOOD, GOOD, GOOD);
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 1, null, false, "tester", new RolloutOptions(Size.count(1),
                        Size.count(1), Size.percent(10), OnError.PAUSE, ServerOrder.NAME, 1, false)));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, RolloutServer> servers = servers(rollout);
            return servers.get("web-01").state() == StepState.DONE
                    && servers.get("web-02").state() != StepState.PENDING;
        });

        // etc/org.fleetup.upgrade.cfg and etc/org.fleetup.routes.cfg edited: both components are made again.
        routing = controller.reconfigure(Map.of("commandTimeoutSeconds", COMMAND_SECONDS + 2, "verifyAttempts", 2),
                new FleetRouting.Settings("controller-1", 100, Duration.ofSeconds(5), 4));
        Rollout ended = ended(rollout);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(ended.detail()).isEqualTo("4 upgraded");
        assertThat(routing.history(rollout.id(), "web-01")).extracting(StepRecord::step)
                .as("done before the change: untouched after").containsOnlyOnce(StepState.CONNECTING);
        for (SimulatedHost host : hosts) {
            upgraded(ended, host);
            assertThat(files(host).unitJournals()).as(host.name() + ": switched once").hasSize(1);
        }
    }

    @Test
    void aRebootingServerIsRebootedProvenByItsNewBootIdThenCheckedAndUpgraded() throws Exception {
        List<SimulatedHost> hosts = fleet(rebooting(), REBOOTS, REBOOTS);
        Map<String, String> bootsBefore = bootIds(hosts);

        Rollout ended = ended(start(hosts, null));

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(ended.detail()).isEqualTo("2 upgraded");
        for (SimulatedHost host : hosts) {
            String before = bootsBefore.get(host.name());
            assertThat(bootId(host)).as(host.name() + " rebooted").isNotEqualTo(before);
            assertThat(routing.history(ended.id(), host.name())).extracting(StepRecord::detail)
                    .as("rebooted once").filteredOn(detail -> detail.startsWith("rebooting ")).hasSize(1)
                    .allSatisfy(detail -> assertThat(detail).contains("(boot id " + before + ")"));
            upgraded(ended, host);
            assertThat(files(host).unitJournalLines()).as(host.name() + ": switched, unchecked over the reboot, then"
                    + " checked").anySatisfy(lines -> assertThat(lines).containsSubsequence("previous releases/1.4.2",
                    "switched releases/2.0.0", "switched-unchecked"))
                    .anySatisfy(lines -> assertThat(lines).containsSubsequence("health ok", "switched-healthy"));
        }
    }

    @Test
    void aCheckFailingAfterTheRebootSwitchesBackRebootsAgainAndIsRolledBack() throws Exception {
        List<SimulatedHost> hosts = fleet(rebooting(), new HostSpec("1.4.2", Set.of(Fault.REBOOT,
                Fault.HEALTH_FAILS)), REBOOTS);
        SimulatedHost failing = hosts.get(0);
        String bootBefore = bootId(failing);

        Rollout ended = ended(start(hosts, null));

        assertThat(report(ended, failing)).isEqualTo("rolled-back");
        assertThat(ended.detail()).isEqualTo("1 rolled-back, 1 upgraded");
        assertThat(servers(ended).get(failing.name()).detail()).contains("simulated HEALTH_FAILS")
                .contains("rolled back to 1.4.2 (verified)");
        assertThat(bootId(failing)).as("rebooted").isNotEqualTo(bootBefore);
        List<String> details = routing.history(ended.id(), failing.name()).stream().map(StepRecord::detail).toList();
        assertThat(details).as("into 2.0.0, then back into 1.4.2")
                .filteredOn(detail -> detail.startsWith("rebooting ")).hasSize(2);
        untouched(failing);
        assertThat(files(failing).unitJournalLines()).as("switched back, unchecked over the reboot, then checked")
                .anySatisfy(lines -> assertThat(lines).containsSubsequence("switched releases/2.0.0",
                        "health failed health check failed with exit code 1: demo-app 2.0.0: cannot start (simulated"
                                + " HEALTH_FAILS)", "switched releases/1.4.2", "switched-back-unchecked"))
                .anySatisfy(lines -> assertThat(lines).containsSubsequence("health ok", "rolled-back"));
        upgraded(ended, hosts.get(1));
    }

    private static Map<String, String> bootIds(List<SimulatedHost> hosts) {
        return hosts.stream().collect(Collectors.toMap(SimulatedHost::name, SimulatedFaultRolloutTest::bootId));
    }

    private static String bootId(SimulatedHost host) {
        try {
            return Files.readString(host.root().resolve(".sim/boot_id")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
