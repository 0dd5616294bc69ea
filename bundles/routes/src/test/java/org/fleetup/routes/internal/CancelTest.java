package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.AuditEntry;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cancelling rollouts, on a real inventory, with real upgrades of simulated servers; judged from their files. */
class CancelTest {

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;
    private List<SimulatedHost> hosts;

    @BeforeEach
    void open() throws Exception {
        controller = new TestController(dir);
        hosts = controller.servers("web", 3, "1.4.2");
        controller.release("2.0.0");
        routing = controller.start();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private Rollout start(Instant at) {
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", TestController.names(hosts), 1, at,
                false, "tester"));
    }

    @Test
    void aRunningRolloutCancelledStartsNoNewServerAndLetsTheOneInFlightFinish() throws Exception {
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        AtomicReference<String> first = new AtomicReference<>();
        AtomicBoolean held = new AtomicBoolean();
        // A second ahead, so that the watch is in place before the first step.
        Rollout rollout = start(Instant.now().plusSeconds(1));
        AutoCloseable watch = routing.watch(rollout.id(), event -> {
            if (event.state() == StepState.TRANSFERRING && held.compareAndSet(false, true)) {
                first.set(event.server());
                inFlight.countDown();
                // The server stays in flight, its release half sent, until the cancel is through.
                await(cancelled);
            }
        });

        await(inFlight);
        Rollout cancelling = routing.cancel(rollout.id(), "tester");
        cancelled.countDown();
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        watch.close();

        assertThat(cancelling.status()).isEqualTo(RolloutStatus.CANCELLING);
        assertThat(ended.status()).isEqualTo(RolloutStatus.CANCELLED);
        assertThat(ended.detail()).isEqualTo("cancelled by tester: 2 not-started, 1 upgraded");
        Map<String, RolloutServer> servers = routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
        for (SimulatedHost host : hosts) {
            RolloutServer server = servers.get(host.name());
            if (host.name().equals(first.get())) {
                assertThat(server.state()).as(host.name() + ", in flight at the cancel").isEqualTo(StepState.DONE);
                assertThat(current(host)).isEqualTo("releases/2.0.0");
            } else {
                assertThat(server.state()).as(host.name()).isEqualTo(StepState.SKIPPED);
                assertThat(server.detail()).isEqualTo("not started: rollout cancelled");
                assertThat(ReportStatus.of(server)).isEqualTo(ReportStatus.NOT_STARTED);
                assertThat(current(host)).as(host.name() + " untouched").isEqualTo("releases/1.4.2");
                assertThat(app(host).resolve("releases/2.0.0")).doesNotExist();
                assertThat(Files.readString(app(host).resolve("current/VERSION")).strip()).isEqualTo("1.4.2");
            }
        }
        assertThat(controller.inventory.audit(10)).extracting(AuditEntry::actor, AuditEntry::action)
                .contains(tuple("tester", "rollout-cancel"), tuple("fleetup", "rollout-cancelled"));
    }

    @Test
    void aScheduledRolloutCancelledNeverStartsAndItsServersAreToldNotStarted() throws Exception {
        Rollout rollout = start(Instant.now().plusSeconds(3600));

        Rollout cancelled = routing.cancel(rollout.id(), "tester");

        assertThat(cancelled.status()).isEqualTo(RolloutStatus.CANCELLED);
        assertThat(routing.require(rollout.id())).isEqualTo(cancelled);
        assertThat(cancelled.detail()).isEqualTo("cancelled by tester before it started");
        assertThat(routing.completion(rollout.id()).toCompletableFuture().getNow(null)).isEqualTo(cancelled);
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::state, RolloutServer::detail)
                .containsOnly(tuple(StepState.SKIPPED, "not started: rollout cancelled by tester"));
        assertThat(routing.servers(rollout.id())).extracting(ReportStatus::of).containsOnly(ReportStatus.NOT_STARTED);
        assertThat(routing.history(rollout.id(), hosts.get(0).name())).extracting(StepRecord::step)
                .containsExactly(StepState.SKIPPED);
        assertThat(controller.scheduler.cancel(rollout.id())).as("no longer waiting for its time").isFalse();
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).isEqualTo("releases/1.4.2");
        }
    }

    @Test
    void aRolloutThatHasEndedCannotBeCancelled() throws Exception {
        Rollout rollout = start(Instant.now().plusSeconds(3600));
        routing.cancel(rollout.id(), "tester");

        assertThatThrownBy(() -> routing.cancel(rollout.id(), "tester"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_ENDED))
                .hasMessageContaining("Rollout " + rollout.id() + " has ended CANCELLED")
                .hasMessageContaining("nothing to cancel");
        assertThatThrownBy(() -> routing.cancel("nosuch", "tester"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_NOT_FOUND));
    }

    private static Path app(SimulatedHost host) {
        return host.root().resolve(DemoApplication.PRODUCT);
    }

    private static String current(SimulatedHost host) throws IOException {
        return Files.readSymbolicLink(app(host).resolve("current")).toString();
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
