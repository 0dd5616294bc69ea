package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullAgents;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.inventory.internal.JdbcPullRegistry;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A published release as a rollout of the engine, on a real H2 inventory: its servers are the pull agents, its waves
 * and max errors are the engine's, a silent agent fails past the deadline, and the completion names the failed agents.
 * The agents' checks and reports are made as the patch server makes them ({@link PullRollouts}); the real agents'
 * processes are in PullAgentIT.
 */
class PullRolloutTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String mac(int i) {
        return "02-00-00-00-00-0" + i;
    }

    private static void registered(JdbcPullRegistry registry, int agent, String version) {
        registry.checked(new PullAgentRecord(mac(agent), "10.0.0." + agent, DemoApplication.PRODUCT, version,
                Instant.now(), Instant.now().plusSeconds(60 + agent), "http://127.0.0.1:8181"));
    }

    @Test
    void aPublishedReleaseIsARolloutOfThePullAgentsThatNeedItInWavesThatStopOnTheirMaxErrors() throws Exception {
        try (TestController controller = new TestController(dir)) {
            controller.release("2.0.0");
            JdbcPullRegistry registry = new JdbcPullRegistry(controller.database);
            for (int i = 1; i <= 4; i++) {
                registered(registry, i, "1.4.2");
            }
            registered(registry, 5, "2.0.0");
            registry.checked(new PullAgentRecord(mac(6), "10.0.0.6", DemoApplication.PRODUCT, "1.4.2",
                    Instant.now().minusSeconds(120), Instant.now().minusSeconds(60), "http://127.0.0.1:8181"));
            FleetRouting routing = controller.start(registry, Duration.ofHours(1));

            List<PlanEntry> plan = routing.plan(controller.store.require(DemoApplication.PRODUCT, "2.0.0"), false);
            assertThat(plan).extracting(PlanEntry::server, PlanEntry::decision).containsExactly(
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(1), Decision.UPGRADE),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(2), Decision.UPGRADE),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(3), Decision.UPGRADE),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(4), Decision.UPGRADE),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(5), Decision.CURRENT),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(6), Decision.UPGRADE));
            assertThat(plan.get(0).reason()).contains("pull agent, next check at");
            assertThat(routing.plan(controller.store.require(DemoApplication.PRODUCT, "2.0.0"), 4, false).entries())
                    .as("a fleet of pull agents only").isEqualTo(plan);

            ScheduledRelease published = routing.publish(new ScheduledRelease(DemoApplication.PRODUCT, "2.0.0",
                    Instant.now(), 2, 1), "operator");
            Rollout rollout = routing.require(published.rollout());
            // Those expected first fill the first wave; the one that runs it already is not in it, nor the one late
            // (it joins when it comes back).
            assertThat(rollout.servers()).containsExactly(PullAgents.server(mac(1)), PullAgents.server(mac(2)),
                    PullAgents.server(mac(3)), PullAgents.server(mac(4)));
            assertThat(registry.scheduled(DemoApplication.PRODUCT).orElseThrow().rollout()).isEqualTo(rollout.id());

            await("wave 1 open").atMost(WAIT).until(() -> routing.turn(published, mac(1)).offer());
            assertThat(routing.turn(published, mac(2)).offer()).isTrue();
            assertThat(routing.turn(published, mac(3)).offer()).as("wave 2 waits for wave 1").isFalse();

            routing.step(published, mac(1), StepState.CONNECTING, "offered");
            routing.step(published, mac(1), StepState.TRANSFERRING, "downloading");
            routing.step(published, mac(1), StepState.ROLLED_BACK, "rolled-back: health check failed");

            Rollout paused = routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(paused.status()).isEqualTo(RolloutStatus.PAUSED);
            assertThat(paused.detail()).contains("wave 1: 1 of 2 servers failed");
            assertThat(routing.turn(published, mac(3)).offer()).as("the rollout paused").isFalse();
            assertThat(routing.turn(published, mac(2)).offer()).as("paused: no offer even in its wave").isFalse();
            assertThat(routing.servers(rollout.id())).extracting(RolloutServer::server, RolloutServer::state)
                    .contains(org.assertj.core.api.Assertions.tuple("pull:" + mac(1), StepState.ROLLED_BACK),
                            org.assertj.core.api.Assertions.tuple("pull:" + mac(3), StepState.PENDING));
            assertThat(routing.history(rollout.id(), PullAgents.server(mac(1)))).extracting(h -> h.step())
                    .contains(StepState.CONNECTING, StepState.TRANSFERRING, StepState.ROLLED_BACK);
        }
    }

    @Test
    void anAgentSilentPastTheDeadlineFailsAndTheEndNamesIt() throws Exception {
        try (TestController controller = new TestController(dir)) {
            controller.release("2.0.0");
            JdbcPullRegistry registry = new JdbcPullRegistry(controller.database);
            registered(registry, 1, "1.4.2");
            registered(registry, 2, "1.4.2");
            FleetRouting routing = controller.start(registry, Duration.ofSeconds(2));
            ScheduledRelease published = routing.publish(new ScheduledRelease(DemoApplication.PRODUCT, "2.0.0",
                    Instant.now()), "operator");

            await("wave 1 open").atMost(WAIT).until(() -> routing.turn(published, mac(1)).offer());
            routing.step(published, mac(1), StepState.CONNECTING, "offered");
            routing.step(published, mac(1), StepState.DONE, "done");

            Rollout ended = routing.completion(published.rollout()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
            assertThat(routing.servers(ended.id())).extracting(RolloutServer::server, RolloutServer::state,
                    RolloutServer::to).containsExactly(
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(1), StepState.DONE, "2.0.0"),
                    org.assertj.core.api.Assertions.tuple("pull:" + mac(2), StepState.FAILED, null));
            assertThat(routing.servers(ended.id()).get(1).detail()).contains("silent", "pull deadline of 2 s");
        }
    }

    @Test
    void anAgentThatChecksAfterThePublicationJoinsTheRolloutOrGetsOneOfItsOwn() throws Exception {
        try (TestController controller = new TestController(dir)) {
            controller.release("2.0.0");
            JdbcPullRegistry registry = new JdbcPullRegistry(controller.database);
            FleetRouting routing = controller.start(registry, Duration.ofHours(1));
            ScheduledRelease published = routing.publish(new ScheduledRelease(DemoApplication.PRODUCT, "2.0.0",
                    Instant.now().plusSeconds(3)), "operator");
            assertThat(routing.require(published.rollout()).servers()).isEmpty();

            registered(registry, 1, "1.4.2");
            PullRollouts.Turn early = routing.turn(published, mac(1));
            assertThat(early.offer()).isFalse();
            assertThat(early.comeBackAt()).isEqualTo(routing.require(published.rollout()).startAt());
            assertThat(routing.require(published.rollout()).servers()).containsExactly(PullAgents.server(mac(1)));

            await("offered at its time").atMost(WAIT).until(() -> routing.turn(published, mac(1)).offer());
            routing.step(published, mac(1), StepState.DONE, "done");
            await("finished").atMost(WAIT).until(() -> routing.require(published.rollout()).status()
                    == RolloutStatus.FINISHED);

            // After it finished, a newcomer gets a rollout of its own, which the schedule now names.
            registered(registry, 2, "1.4.2");
            assertThat(routing.turn(published, mac(2)).offer()).isFalse();
            ScheduledRelease now = registry.scheduled(DemoApplication.PRODUCT).orElseThrow();
            assertThat(now.rollout()).isNotEqualTo(published.rollout());
            assertThat(routing.require(now.rollout()).servers()).containsExactly(PullAgents.server(mac(2)));
            await("offered in its own").atMost(WAIT).until(() -> routing.turn(now, mac(2)).offer());
        }
    }

    @Test
    void aPublicationNoAgentHasCheckedInYetWaitsForTheFirstAgents() throws Exception {
        try (TestController controller = new TestController(dir)) {
            controller.release("2.0.0");
            JdbcPullRegistry registry = new JdbcPullRegistry(controller.database);
            FleetRouting routing = controller.start(registry, Duration.ofHours(1));
            ScheduledRelease published = routing.publish(new ScheduledRelease(DemoApplication.PRODUCT, "2.0.0",
                    Instant.now()), "operator");

            // Many ticks of the engine (every 50 ms here) leave it running, with nobody to bring it to.
            await("still running").during(Duration.ofSeconds(1)).atMost(WAIT)
                    .until(() -> routing.require(published.rollout()).status() == RolloutStatus.RUNNING);

            registered(registry, 1, "1.4.2");
            registered(registry, 2, "1.4.2");
            await("the first offered").atMost(WAIT).until(() -> routing.turn(published, mac(1)).offer());
            assertThat(routing.turn(published, mac(2)).offer()).as("joins the open wave").isTrue();
            assertThat(routing.require(published.rollout()).servers()).containsExactly(PullAgents.server(mac(1)),
                    PullAgents.server(mac(2)));
        }
    }
}
