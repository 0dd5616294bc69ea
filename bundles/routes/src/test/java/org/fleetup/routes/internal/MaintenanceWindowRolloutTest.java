package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rollouts under maintenance windows, on a clock the test moves: a closed window starts no server, whose files stay as
 * they were; the rollout goes on by itself once the clock is in the window. Judged from the servers' own files.
 */
class MaintenanceWindowRolloutTest {

    private static final HostSpec GOOD = new HostSpec("1.4.2", Set.of());
    private static final String WINDOW = "Mon-Fri 02:00 3h Europe/Paris";
    /** A Monday, 10:00 in Paris: the window is closed until Tuesday 02:00. */
    private static final Instant MONDAY_MORNING = paris("2026-12-07T10:00:00+01:00");
    private static final Instant TUESDAY_NIGHT = paris("2026-12-08T02:30:00+01:00");

    @TempDir
    Path dir;

    private TestController controller;
    private final MovableClock clock = new MovableClock(MONDAY_MORNING);

    @BeforeEach
    void open() {
        controller = new TestController(dir);
        controller.release("2.0.0");
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private static Instant paris(String local) {
        return ZonedDateTime.parse(local + "[Europe/Paris]").toInstant();
    }

    private static MaintenanceWindows clusterWindow(String text) {
        return MaintenanceWindows.of(Map.of("cluster." + SimulatedFleet.CLUSTER, text));
    }

    private static Rollout start(FleetRouting routing, List<SimulatedHost> hosts, int canary, int parallelism) {
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(hosts),
                parallelism, null, false, "tester", new RolloutOptions(Size.count(canary), Size.count(hosts.size()),
                Size.percent(10), OnError.PAUSE, ServerOrder.NAME, 1, false)));
    }

    private static void assertUntouched(SimulatedHost host) throws Exception {
        assertThat(RolloutWavesTest.current(host)).as(host.name() + " untouched").isEqualTo("releases/1.4.2");
        assertThat(RolloutWavesTest.app(host).resolve("releases/2.0.0")).as(host.name()).doesNotExist();
        assertThat(host.root().resolve(".fleetup")).as(host.name() + ": no unit ever ran").doesNotExist();
    }

    @Test
    void aClosedWindowTouchesNoServerUntilTheClockMovesIntoItThenTheRolloutGoesOnByItself() throws Exception {
        FleetRouting routing = controller.start(() -> clusterWindow(WINDOW), clock);
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD, GOOD, GOOD));

        Rollout rollout = start(routing, hosts, 0, 3);

        String waiting = "waits for the maintenance window of cluster " + SimulatedFleet.CLUSTER + " (" + WINDOW
                + "), which opens at 2026-12-08T02:00+01:00";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(routing.servers(rollout.id())).extracting(RolloutServer::state, RolloutServer::detail)
                        .containsOnly(org.assertj.core.groups.Tuple.tuple(StepState.PENDING, waiting)));
        // Many ticks more, on a closed window: still nothing started.
        await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5)).until(() ->
                routing.servers(rollout.id()).stream().allMatch(server -> server.state() == StepState.PENDING));
        assertThat(routing.require(rollout.id()).status()).isEqualTo(RolloutStatus.RUNNING);
        for (SimulatedHost host : hosts) {
            assertUntouched(host);
        }

        clock.set(TUESDAY_NIGHT);

        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(90, TimeUnit.SECONDS);
        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(ended.detail()).isEqualTo("3 upgraded");
        for (SimulatedHost host : hosts) {
            assertThat(RolloutWavesTest.current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }

    @Test
    void aWindowClosingMidRolloutStartsNoNewServerAndLetsTheOneInFlightFinish() throws Exception {
        clock.set(TUESDAY_NIGHT);
        FleetRouting routing = controller.start(() -> clusterWindow(WINDOW), clock);
        // The canary is busy a few seconds before it can be installed: in flight when the window closes.
        List<SimulatedHost> hosts = controller.servers("web", List.of(new HostSpec("1.4.2", Set.of(Fault.BUSY)),
                GOOD, GOOD));

        Rollout rollout = start(routing, hosts, 1, 3);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() ->
                routing.servers(rollout.id()).get(0).state() != StepState.PENDING);
        clock.set(paris("2026-12-08T05:00:00+01:00"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<RolloutServer> servers = routing.servers(rollout.id());
            assertThat(servers.get(0).state()).as("in flight, it finished").isEqualTo(StepState.DONE);
            assertThat(servers.subList(1, 3)).allSatisfy(server -> {
                assertThat(server.state()).isEqualTo(StepState.PENDING);
                assertThat(server.detail()).contains("which opens at 2026-12-09T02:00+01:00");
            });
        });
        assertThat(RolloutWavesTest.current(hosts.get(0))).isEqualTo("releases/2.0.0");
        for (SimulatedHost later : hosts.subList(1, 3)) {
            assertUntouched(later);
        }

        clock.set(paris("2026-12-09T02:00:00+01:00"));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(90, TimeUnit.SECONDS);
        assertThat(ended.detail()).isEqualTo("3 upgraded");
        for (SimulatedHost host : hosts) {
            assertThat(RolloutWavesTest.current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }

    @Test
    void windowsThatCannotBeReadStartNoServerAndSayWhichKeyToFix() throws Exception {
        WindowSettings settings = new WindowSettings(Map.of("defaultWindow", "",
                "cluster." + SimulatedFleet.CLUSTER, "weekdays 02:00 3h Europe/Paris"));
        FleetRouting routing = controller.start(settings::windows, clock);
        List<SimulatedHost> hosts = controller.servers("web", List.of(GOOD));

        Rollout rollout = start(routing, hosts, 0, 1);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(routing.servers(rollout.id()).get(0).detail())
                        .startsWith("no server starts until etc/org.fleetup.windows.cfg is fixed: Maintenance window"
                                + " cluster." + SimulatedFleet.CLUSTER + " = 'weekdays 02:00 3h Europe/Paris' cannot"
                                + " be read: 'weekdays' is not a day"));
        assertUntouched(hosts.get(0));

        settings.modified(Map.of("cluster." + SimulatedFleet.CLUSTER, "always"));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(90, TimeUnit.SECONDS);
        assertThat(ended.detail()).isEqualTo("1 upgraded");
        assertThat(RolloutWavesTest.current(hosts.get(0))).isEqualTo("releases/2.0.0");
    }

    /** The operator's time, moved by the test; nothing waits for it. */
    static final class MovableClock extends Clock {

        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("the engine reads instants only");
        }
    }
}
