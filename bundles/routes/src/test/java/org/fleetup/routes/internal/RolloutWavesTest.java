package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.AuditEntry;
import org.fleetup.api.rollout.OnError;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollouts in waves, on a real inventory and simulated servers, judged from the servers' own files. */
class RolloutWavesTest {

    private static final HostSpec GOOD = new HostSpec("1.4.2", Set.of());
    private static final HostSpec UNREACHABLE = new HostSpec("1.4.2", Set.of(Fault.REFUSE_CONNECTIONS));

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;

    @BeforeEach
    void open() throws Exception {
        controller = new TestController(dir);
        controller.release("2.0.0");
        routing = controller.start();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private Rollout start(List<SimulatedHost> hosts, int parallelism, RolloutOptions options) {
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(hosts),
                parallelism, null, false, "tester", options));
    }

    private static RolloutOptions options(int canary, int wave, Size maxErrors, OnError onError) {
        return new RolloutOptions(Size.count(canary), Size.count(wave), maxErrors, onError, ServerOrder.NAME, 1, false);
    }

    private Rollout ended(Rollout rollout) throws Exception {
        return routing.completion(rollout.id()).toCompletableFuture().get(90, TimeUnit.SECONDS);
    }

    @Test
    void theCanaryEndsVerifiedBeforeTheNextWaveStartsAndEachWaveAfterThePreviousOne() throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD, GOOD, GOOD, GOOD));

        Rollout rollout = start(hosts, 4, options(1, 2, Size.percent(10), OnError.PAUSE));
        Rollout ended = ended(rollout);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(ended.detail()).isEqualTo("4 upgraded");
        assertThat(UUID.fromString(rollout.id())).as("a full UUID").hasToString(rollout.id());
        List<Wave> waves = routing.waves(rollout.id());
        assertThat(waves).extracting(Wave::number, Wave::size, Wave::status)
                .containsExactly(tuple(1, 1, WaveStatus.DONE), tuple(2, 2, WaveStatus.DONE),
                        tuple(3, 1, WaveStatus.DONE));
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::server, RolloutServer::wave,
                RolloutServer::state, RolloutServer::from, RolloutServer::to)
                .containsExactly(tuple("web-01", 1, StepState.DONE, "1.4.2", "2.0.0"),
                        tuple("web-02", 2, StepState.DONE, "1.4.2", "2.0.0"),
                        tuple("web-03", 2, StepState.DONE, "1.4.2", "2.0.0"),
                        tuple("web-04", 3, StepState.DONE, "1.4.2", "2.0.0"));
        // From the history: no server of a wave took a step before every server of the wave before had ended.
        for (int wave = 2; wave <= 3; wave++) {
            Instant previousEnded = lastEnd(rollout, wave - 1);
            for (RolloutServer server : serversOf(rollout, wave)) {
                Instant firstStep = routing.history(rollout.id(), server.server()).get(0).at();
                assertThat(firstStep).as(server.server() + " of wave " + wave).isAfter(previousEnded);
            }
        }
        assertThat(routing.history(rollout.id(), "web-01")).extracting(StepRecord::step)
                .startsWith(StepState.CONNECTING).endsWith(StepState.DONE);
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).isEqualTo("releases/2.0.0");
        }
        assertThat(controller.repository.transferRates()).as("for --order speed next time")
                .containsKeys(TestController.names(hosts).toArray(String[]::new))
                .allSatisfy((server, rate) -> assertThat(rate).isPositive());
    }

    @Test
    void aWaveWhoseFailuresReachItsMaxErrorsPausesTheRolloutAndLaterWavesAreUntouchedUntilResumed()
            throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD, UNREACHABLE, GOOD, GOOD, GOOD));

        // Waves: web-01 | web-02 web-03 (one error stops it) | web-04 web-05.
        Rollout rollout = start(hosts, 1, options(1, 2, Size.percent(50), OnError.PAUSE));
        assertThat(ended(rollout).status()).as("a pause completes the rollout's wait, as an operator must act")
                .isEqualTo(RolloutStatus.PAUSED);
        await().atMost(Duration.ofSeconds(30)).until(() -> routing.servers(rollout.id()).stream()
                .noneMatch(server -> server.state() != StepState.PENDING && !server.state().isFinal()));

        Rollout paused = routing.require(rollout.id());
        assertThat(paused.detail()).isEqualTo("wave 2: 1 of 2 servers failed, reaching its max errors of 1");
        assertThat(routing.waves(rollout.id())).extracting(Wave::status)
                .containsExactly(WaveStatus.DONE, WaveStatus.HALTED, WaveStatus.PENDING);
        Map<String, RolloutServer> servers = byName(rollout);
        assertThat(servers.get("web-02").state()).isEqualTo(StepState.FAILED);
        for (SimulatedHost later : hosts.subList(3, 5)) {
            assertThat(servers.get(later.name()).state()).isEqualTo(StepState.PENDING);
            assertThat(current(later)).as(later.name() + " untouched").isEqualTo("releases/1.4.2");
            assertThat(app(later).resolve("releases/2.0.0")).doesNotExist();
            assertThat(routing.history(rollout.id(), later.name())).isEmpty();
        }
        assertThat(controller.inventory.audit(20)).extracting(AuditEntry::action).contains("rollout-paused");
        assertThatThrownBy(() -> routing.resume(startOther(), "tester"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_STATE));

        routing.resume(rollout.id(), "tester");
        Rollout ended = ended(rollout);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        servers = byName(rollout);
        for (SimulatedHost later : hosts.subList(3, 5)) {
            assertThat(servers.get(later.name()).state()).isEqualTo(StepState.DONE);
            assertThat(current(later)).isEqualTo("releases/2.0.0");
        }
        assertThat(routing.waves(rollout.id())).extracting(Wave::status)
                .containsExactly(WaveStatus.DONE, WaveStatus.HALTED, WaveStatus.DONE);
        assertThat(controller.inventory.audit(20)).extracting(AuditEntry::actor, AuditEntry::action)
                .contains(tuple("tester", "rollout-resume"));
    }

    @Test
    void aWaveOverItsMaxErrorsAbortsWhenToldAndTheFailedServersCanBeRetried() throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", List.of(UNREACHABLE, GOOD, GOOD));

        Rollout rollout = start(hosts, 1, options(1, 1, Size.count(1), OnError.ABORT));
        Rollout ended = ended(rollout);

        assertThat(ended.status()).isEqualTo(RolloutStatus.ABORTED);
        assertThat(ended.detail()).isEqualTo("wave 1: 1 of 1 servers failed, reaching its max errors of 1");
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::server, RolloutServer::state)
                .containsExactly(tuple("web-01", StepState.FAILED), tuple("web-02", StepState.SKIPPED),
                        tuple("web-03", StepState.SKIPPED));
        for (SimulatedHost later : hosts.subList(1, 3)) {
            assertThat(current(later)).isEqualTo("releases/1.4.2");
        }

        Rollout retry = routing.retry(rollout.id(), "tester");

        assertThat(retry.id()).isNotEqualTo(rollout.id());
        assertThat(retry.servers()).containsExactly("web-01");
        assertThat(retry.options()).isEqualTo(rollout.options());
        assertThat(ended(retry)).as("one wave, the last: nothing to abort for")
                .extracting(Rollout::status, Rollout::detail).containsExactly(RolloutStatus.FINISHED, "1 failed");
        assertThat(controller.inventory.audit(20)).extracting(AuditEntry::actor, AuditEntry::action)
                .contains(tuple("tester", "rollout-retry"), tuple("fleetup", "rollout-aborted"));
        assertThatThrownBy(() -> routing.retry(startOther(), "tester"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_STATE));
    }

    @Test
    void aLastWaveOverItsMaxErrorsEndsTheRolloutAsThereIsNothingLeftToProtect() throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD, UNREACHABLE));

        Rollout ended = ended(start(hosts, 1, options(1, 1, Size.count(1), OnError.PAUSE)));

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(ended.detail()).isEqualTo("1 failed, 1 upgraded");
        assertThat(routing.waves(ended.id())).extracting(Wave::status)
                .containsExactly(WaveStatus.DONE, WaveStatus.HALTED);
    }

    @Test
    void aRolloutPausedByAnOperatorStartsNoNewServerAndGoesOnWhenResumed() throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD, GOOD));
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 1, Instant.now().plusSeconds(3600), false, "tester",
                options(1, 1, Size.count(1), OnError.PAUSE)));

        assertThat(routing.pause(rollout.id(), "tester").status()).isEqualTo(RolloutStatus.PAUSED);
        assertThat(routing.resume(rollout.id(), "tester").status()).as("its time has not come")
                .isEqualTo(RolloutStatus.SCHEDULED);
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::state).containsOnly(StepState.PENDING);
        routing.cancel(rollout.id(), "tester");
        assertThatThrownBy(() -> routing.pause(rollout.id(), "tester"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_ENDED));
    }

    /** A rollout that is scheduled, neither paused nor ended. */
    private String startOther() {
        List<SimulatedHost> other = controller.servers("other", List.of(GOOD));
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(other), 1,
                Instant.now().plusSeconds(3600), false, "tester")).id();
    }

    private Map<String, RolloutServer> byName(Rollout rollout) {
        return routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
    }

    private List<RolloutServer> serversOf(Rollout rollout, int wave) {
        return routing.servers(rollout.id()).stream().filter(server -> server.wave() == wave).toList();
    }

    private Instant lastEnd(Rollout rollout, int wave) {
        List<Instant> ends = new ArrayList<>();
        for (RolloutServer server : serversOf(rollout, wave)) {
            List<StepRecord> history = routing.history(rollout.id(), server.server());
            ends.add(history.get(history.size() - 1).at());
        }
        return ends.stream().max(Instant::compareTo).orElseThrow();
    }

    static Path app(SimulatedHost host) {
        return host.root().resolve(DemoApplication.PRODUCT);
    }

    static String current(SimulatedHost host) throws IOException {
        return Files.readSymbolicLink(app(host).resolve("current")).toString();
    }
}
