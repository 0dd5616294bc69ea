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
import org.fleetup.api.rollout.Election;
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
        elect(elected, "ctl-1/a", Instant.now());
    }

    /** Elects {@code owner} in the inventory at {@code now}, for 10 minutes, and tells its engine so. */
    private void elect(RolloutEngine engine, String owner, Instant now) {
        long fence = controller.repository.elect(ControllerPresence.DECISIONS, owner, now, now.plusSeconds(600))
                .orElseThrow();
        engine.decide(new Election(ControllerPresence.DECISIONS, owner, fence), now.plusSeconds(600));
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
        Instant now = Instant.now();
        String id = scheduledInTwoWaves(now);

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
        elected.decide(null, null);
        elected.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.RUNNING);
        // its election runs out: the other is elected
        elect(other, "ctl-2/b", Instant.now().plusSeconds(601));
        other.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.FINISHED);
    }

    /**
     * A controller paused (a long GC, a network cut) past its election, which another took meanwhile, wakes up
     * believing it decides still: what it decides then (start the rollout, end a wave, open the next, end the rollout)
     * writes nothing, as the rows show; the controller elected now makes those decisions.
     */
    @Test
    void aControllerDeposedWhileItWasPausedDecidesNothing() {
        Instant now = Instant.now();
        String id = scheduledInTwoWaves(now);
        // The other is elected once the first one's election has run out; the first one, paused, does not know.
        elect(other, "ctl-2/b", now.plusSeconds(601));

        elected.tick();
        assertThat(status(id)).as("started by a deposed controller").isEqualTo(RolloutStatus.SCHEDULED);
        assertThat(waves(id)).containsExactly(WaveStatus.PENDING, WaveStatus.PENDING);
        assertThat(claimedByElected).isEmpty();

        other.tick();
        assertThat(status(id)).isEqualTo(RolloutStatus.RUNNING);
        assertThat(claimedByOther).containsExactly("a");
        end(id, "a");
        other.ended(action(id, "a").id());

        elected.tick();
        assertThat(waves(id)).as("the first wave ended, the next opened, by a deposed controller")
                .containsExactly(WaveStatus.RUNNING, WaveStatus.PENDING);
        assertThat(claimedByElected).isEmpty();

        other.tick();
        assertThat(waves(id)).containsExactly(WaveStatus.DONE, WaveStatus.RUNNING);
        end(id, "b");
        end(id, "c");
        elected.tick();
        assertThat(status(id)).as("finished by a deposed controller").isEqualTo(RolloutStatus.RUNNING);
        assertThat(waves(id)).containsExactly(WaveStatus.DONE, WaveStatus.RUNNING);
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

    /** A rollout of a, b and c, due since a second before {@code now}: a in wave 1, b and c in wave 2. */
    private String scheduledInTwoWaves(Instant now) {
        String id = UUID.randomUUID().toString();
        controller.repository.create(new Rollout(id, "demo-app", "2.0.0", List.of("a", "b", "c"), 3, false,
                RolloutStatus.SCHEDULED, now, now.minusSeconds(1), null, null), List.of(
                new Wave(id, 1, 1, 1, WaveStatus.PENDING, null, null),
                new Wave(id, 2, 2, 2, WaveStatus.PENDING, null, null)));
        return id;
    }
}
