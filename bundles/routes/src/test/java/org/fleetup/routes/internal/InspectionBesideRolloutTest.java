package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rollout using every worker it may never makes an inspection (or a plan) wait behind it. */
class InspectionBesideRolloutTest {

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

    @Test
    void anInspectionRunsWhileEveryRolloutWorkerIsBusy() throws Exception {
        // As many servers at once as the controller has workers (8, TestController).
        List<SimulatedHost> hosts = controller.servers("web", 8, "1.4.2");
        SimulatedHost other = controller.servers("other", 1, "1.4.2").get(0);
        CountDownLatch busy = new CountDownLatch(8);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> held = ConcurrentHashMap.newKeySet();
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 8, Instant.now().plusSeconds(1), false, "tester",
                new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100), OnError.PAUSE,
                        ServerOrder.NAME, 8, false)));
        AutoCloseable watch = routing.watch(rollout.id(), event -> {
            if (event.state() == StepState.TRANSFERRING && held.add(event.server())) {
                busy.countDown();
                await(release);
            }
        });
        try {
            assertThat(busy.await(60, TimeUnit.SECONDS)).as("every worker busy").isTrue();

            List<Inspection> inspections = CompletableFuture.supplyAsync(() -> routing.inspect(
                    List.of(controller.fleet.server(other)), DemoApplication.PRODUCT, 1))
                    .get(Duration.ofSeconds(20).toMillis(), TimeUnit.MILLISECONDS);

            assertThat(inspections).singleElement().satisfies(inspection -> {
                assertThat(inspection.server()).isEqualTo(other.name());
                assertThat(inspection.version()).isEqualTo("1.4.2");
            });
        } finally {
            release.countDown();
            watch.close();
        }
        assertThat(routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS).status())
                .isEqualTo(RolloutStatus.FINISHED);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("not within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
