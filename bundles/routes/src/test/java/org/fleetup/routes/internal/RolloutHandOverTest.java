package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rollout lives in the inventory: several controllers share its work without doing a server twice, and a controller
 * stopped in the middle (a restart, a configuration change) hands it over to its next incarnation.
 */
class RolloutHandOverTest {

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;
    private List<SimulatedHost> hosts;

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

    private Rollout start(int servers, int parallelism, Size wave) {
        hosts = controller.servers("web", Collections.nCopies(servers, new HostSpec("1.4.2", Set.of())));
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(hosts),
                parallelism, null, false, "tester", new RolloutOptions(Size.count(1), wave, Size.percent(10),
                        OnError.PAUSE, ServerOrder.NAME, parallelism, false)));
    }

    @Test
    void twoControllersOnOneInventoryNeverWorkOnTheSameServerTwice() throws Exception {
        FleetRouting other = controller.start("controller-2");
        try {
            Rollout rollout = start(6, 3, Size.percent(50));

            Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

            assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
            assertThat(ended.detail()).isEqualTo("6 upgraded");
            assertThat(other.completion(rollout.id()).toCompletableFuture().get(10, TimeUnit.SECONDS).status())
                    .as("seen ended by the other controller too").isEqualTo(RolloutStatus.FINISHED);
            for (SimulatedHost host : hosts) {
                List<StepState> steps = routing.history(rollout.id(), host.name()).stream().map(StepRecord::step)
                        .toList();
                assertThat(steps).as(host.name()).containsOnlyOnce(StepState.CONNECTING, StepState.TRANSFERRING,
                        StepState.DONE);
                // The ground truth: one switch ran on the server, one unit journal of its own.
                try (var units = java.nio.file.Files.list(host.root().resolve("demo-app/.fleetup"))) {
                    assertThat(units.filter(unit -> unit.toString().endsWith(".journal")).count()).as(host.name())
                            .isEqualTo(1);
                }
                assertThat(RolloutWavesTest.current(host)).isEqualTo("releases/2.0.0");
            }
        } finally {
            other.deactivate();
        }
    }

    @Test
    void aWatcherOnOneControllerSeesTheStepsOfTheServersAnotherControllerWorksOn() throws Exception {
        FleetRouting other = controller.start("controller-2");
        try {
            hosts = controller.servers("web", Collections.nCopies(6, new HostSpec("1.4.2", Set.of())));
            Set<String> doneSeenByOther = ConcurrentHashMap.newKeySet();
            // Scheduled a moment ahead, so that the watch is in place before any server starts.
            Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                    TestController.names(hosts), 3, Instant.now().plusSeconds(2), false, "tester",
                    new RolloutOptions(Size.count(1), Size.percent(100), Size.percent(100), OnError.PAUSE,
                            ServerOrder.NAME, 3, false)));
            AutoCloseable watch = other.watch(rollout.id(), event -> {
                if (event.state() == StepState.DONE) {
                    doneSeenByOther.add(event.server());
                }
            });
            try {
                assertThat(routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS).status())
                        .isEqualTo(RolloutStatus.FINISHED);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(doneSeenByOther)
                        .as("every server's end, whichever controller upgraded it")
                        .containsExactlyInAnyOrderElementsOf(TestController.names(hosts)));
            } finally {
                watch.close();
            }
        } finally {
            other.deactivate();
        }
    }

    @Test
    void aControllerRestartedMidRolloutGoesOnWithoutRedoingFinishedServersOrFailingAny() throws Exception {
        Rollout rollout = start(4, 1, Size.count(1));
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Map<String, RolloutServer> servers = byName(rollout);
            return servers.get("web-01").state() == StepState.DONE
                    && servers.get("web-02").state() != StepState.PENDING;
        });

        // As a configuration change or a bundle restart does: deactivated, then activated again.
        routing = controller.restart();
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::state)
                .doesNotContain(StepState.FAILED, StepState.ROLLED_BACK);
        assertThat(routing.history(rollout.id(), "web-01")).extracting(StepRecord::step).as("done before: untouched")
                .containsOnlyOnce(StepState.CONNECTING);
        for (SimulatedHost host : hosts) {
            assertThat(RolloutWavesTest.current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }

    private Map<String, RolloutServer> byName(Rollout rollout) {
        return routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
    }
}
