package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines over one inventory, as two controllers: the elected one alone makes the rollouts' decisions (start,
 * next wave), the other works on the servers of the open wave only; a newly elected one goes on from the inventory.
 */
class RolloutDecisionsTest {

    @TempDir
    Path dir;

    private TestController controller;
    private final List<String> claimedByElected = new CopyOnWriteArrayList<>();
    private final List<String> claimedByOther = new CopyOnWriteArrayList<>();
    private RolloutEngine elected;
    private RolloutEngine other;

    @BeforeEach
    void open() {
        controller = new TestController(dir);
        elected = engine("ctl-1/a", 1, claimedByElected);
        other = engine("ctl-2/b", 5, claimedByOther);
        elected.decideUntil(Instant.now().plusSeconds(600));
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private RolloutEngine engine(String owner, int workers, List<String> claimed) {
        RolloutTracker tracker = new RolloutTracker(controller.repository, owner);
        RolloutEngine engine = new RolloutEngine(controller.repository,
                new RolloutLifecycle(controller.repository, controller.inventory, tracker), tracker, owner,
                Duration.ofSeconds(60), workers);
        engine.dispatchTo(claim -> claimed.add(claim.action().server()));
        return engine;
    }

    @Test
    void onlyTheElectedControllerStartsRolloutsAndOpensWavesAndTheOtherWorksOnTheOpenOne() {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        controller.repository.create(new Rollout(id, "demo-app", "2.0.0", List.of("a", "b", "c"), 3, false,
                RolloutStatus.SCHEDULED, now, now.minusSeconds(1), null, null), List.of(
                new Wave(id, 1, 1, 1, WaveStatus.PENDING, null, null),
                new Wave(id, 2, 2, 2, WaveStatus.PENDING, null, null)));

        other.tick();
        assertThat(status(id)).as("not elected: it starts nothing").isEqualTo(RolloutStatus.SCHEDULED);
        elected.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.RUNNING);
        assertThat(claimedByElected).containsExactly("a");

        end(id, "a");
        elected.ended(action(id, "a").id());
        other.tick();
        assertThat(waves(id)).as("not elected: it opens no wave").containsExactly(WaveStatus.RUNNING,
                WaveStatus.PENDING);
        assertThat(claimedByOther).isEmpty();

        elected.tick();
        assertThat(waves(id)).containsExactly(WaveStatus.DONE, WaveStatus.RUNNING);
        assertThat(claimedByElected).as("one worker").containsExactly("a", "b");
        other.tick();
        assertThat(claimedByOther).as("the open wave's server left").containsExactly("c");

        // The elected one stops deciding (its election lost); the other, elected now, ends the rollout.
        end(id, "b");
        end(id, "c");
        elected.decideUntil(null);
        elected.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.RUNNING);
        other.decideUntil(Instant.now().plusSeconds(600));
        other.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.FINISHED);
    }

    private RolloutAction action(String rollout, String server) {
        return controller.repository.actions(rollout).stream().filter(action -> action.server().equals(server))
                .findFirst().orElseThrow();
    }

    private void end(String rollout, String server) {
        RolloutAction action = action(rollout, server);
        controller.repository.record(action.id(), action.fence(), new ActionUpdate(StepState.DONE, "1.4.2", "2.0.0",
                "upgraded", Map.of(), null, true, Instant.now()));
    }

    private RolloutStatus status(String rollout) {
        return controller.repository.rollout(rollout).orElseThrow().status();
    }

    private List<WaveStatus> waves(String rollout) {
        return controller.repository.waves(rollout).stream().map(Wave::status).toList();
    }
}
