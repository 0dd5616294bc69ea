package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Controller;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

/** Controllers sharing one inventory: each known by its heartbeat, one at a time elected to a role. */
class ControllersTest extends InventoryFixture {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");
    private static final String ROLE = "rollout-decisions";

    @Test
    void eachControllerIsListedWithItsAddressItsLastHeartbeatAndTheServersItHolds() {
        String id = createInOneWave(NOW, "a", "b", "c");
        List<RolloutAction> actions = repository.actions(id);
        repository.heartbeat("ctl-1/x", "host-1:8101", NOW, NOW, NOW.plusSeconds(20));
        repository.heartbeat("ctl-2/y", "host-2:8101", NOW, NOW, NOW.plusSeconds(20));
        repository.heartbeat("ctl-1/x", "host-1:8101", NOW, NOW.plusSeconds(10), NOW.plusSeconds(30));
        repository.claim(actions.get(0).id(), "ctl-1/x", NOW, NOW.plusSeconds(60));
        repository.claim(actions.get(1).id(), "ctl-1/x", NOW, NOW.plusSeconds(60));
        repository.claim(actions.get(2).id(), "ctl-2/y", NOW, NOW.plusSeconds(5));
        repository.elect(ROLE, "ctl-2/y", NOW, NOW.plusSeconds(30));

        List<Controller> controllers = repository.controllers(NOW.plusSeconds(10));

        assertThat(controllers).extracting(Controller::id, Controller::address, Controller::started,
                Controller::heartbeat, Controller::actionsHeld, Controller::roles).containsExactly(
                tuple("ctl-1/x", "host-1:8101", TestDatabases.kept(NOW), TestDatabases.kept(NOW.plusSeconds(10)), 2,
                        List.of()),
                tuple("ctl-2/y", "host-2:8101", TestDatabases.kept(NOW), TestDatabases.kept(NOW), 0, List.of(ROLE)));
        assertThat(controllers.get(1).aliveAt(NOW.plusSeconds(21))).as("its heartbeat stopped").isFalse();

        repository.leave("ctl-2/y");
        assertThat(repository.controllers(NOW)).extracting(Controller::id).containsExactly("ctl-1/x");
    }

    @Test
    void aRoleIsHeldByOneControllerUntilItsLeaseExpiresAndEachNewHolderRaisesTheFence() {
        repository.heartbeat("ctl-1/x", "h1", NOW, NOW, NOW.plusSeconds(3600));
        repository.heartbeat("ctl-2/y", "h2", NOW, NOW, NOW.plusSeconds(3600));

        OptionalLong first = repository.elect(ROLE, "ctl-1/x", NOW, NOW.plusSeconds(30));
        assertThat(first).hasValue(1);
        assertThat(repository.elect(ROLE, "ctl-2/y", NOW.plusSeconds(29), NOW.plusSeconds(59))).as("held").isEmpty();
        assertThat(repository.elect(ROLE, "ctl-1/x", NOW.plusSeconds(20), NOW.plusSeconds(50)))
                .as("renewed by its holder, same fence").hasValue(1);
        assertThat(repository.elect(ROLE, "ctl-2/y", NOW.plusSeconds(49), NOW.plusSeconds(79))).as("renewed").isEmpty();

        assertThat(repository.elect(ROLE, "ctl-2/y", NOW.plusSeconds(51), NOW.plusSeconds(81)))
                .as("expired: the other takes it").hasValue(2);
        assertThat(repository.elect(ROLE, "ctl-1/x", NOW.plusSeconds(52), NOW.plusSeconds(82))).isEmpty();
    }

    @Test
    void aRoleWhoseHolderLeftOrWhoseHeartbeatStoppedIsTakenAtOnce() {
        repository.heartbeat("ctl-1/x", "h1", NOW, NOW, NOW.plusSeconds(10));
        repository.elect(ROLE, "ctl-1/x", NOW, NOW.plusSeconds(30));

        assertThat(repository.elect(ROLE, "ctl-2/y", NOW.plusSeconds(5), NOW.plusSeconds(35)))
                .as("its heartbeat holds").isEmpty();
        assertThat(repository.elect(ROLE, "ctl-2/y", NOW.plusSeconds(11), NOW.plusSeconds(41)))
                .as("its heartbeat stopped, killed: its lease on the role does not hold it").hasValue(2);

        repository.heartbeat("ctl-2/y", "h2", NOW, NOW.plusSeconds(11), NOW.plusSeconds(3600));
        repository.leave("ctl-2/y");
        repository.heartbeat("ctl-3/z", "h3", NOW, NOW.plusSeconds(12), NOW.plusSeconds(3600));
        assertThat(repository.elect(ROLE, "ctl-3/z", NOW.plusSeconds(12), NOW.plusSeconds(42)))
                .as("left when it stopped").hasValue(3);
    }

    /**
     * Controller A is elected; its election runs out (A paused by a long GC, or cut off) and B is elected. A's
     * decisions, taken late under its old election, write nothing, as the rows read; B's, under its own, do.
     */
    @Test
    void theDecisionsOfAControllerDeposedSinceWriteNothing() {
        String id = createInOneWave(NOW, "a", "b");
        twoControllersBeat();
        Election a = elected("ctl-1/a", NOW);
        Election b = elected("ctl-2/b", NOW.plusSeconds(31));
        Rollout rollout = repository.rollout(id).orElseThrow();
        Wave wave = repository.waves(id).get(0);
        Wave open = new Wave(id, 1, wave.size(), wave.maxErrors(), WaveStatus.RUNNING, NOW, null);

        assertThat(repository.moveRollout(rollout.withStatus(RolloutStatus.RUNNING, null, null),
                RolloutStatus.SCHEDULED, a)).isFalse();
        assertThat(repository.moveWave(open, WaveStatus.PENDING, a)).isFalse();
        assertThat(repository.endNotStarted(id, 0, StepState.SKIPPED, "not started", NOW, a)).isZero();
        assertThat(repository.moveRollout(rollout.withStatus(RolloutStatus.CANCELLED, NOW, "ended by a"),
                RolloutStatus.SCHEDULED, a)).isFalse();

        assertThat(repository.status(id)).hasValue(RolloutStatus.SCHEDULED);
        assertThat(repository.waves(id)).extracting(Wave::status).containsExactly(WaveStatus.PENDING);
        assertThat(repository.actions(id)).extracting(RolloutAction::step)
                .containsExactly(StepState.PENDING, StepState.PENDING);
        assertThat(repository.history(id, "a")).isEmpty();

        assertThat(repository.moveRollout(rollout.withStatus(RolloutStatus.RUNNING, null, null),
                RolloutStatus.SCHEDULED, b)).isTrue();
        assertThat(repository.moveWave(open, WaveStatus.PENDING, b)).isTrue();
        assertThat(repository.status(id)).hasValue(RolloutStatus.RUNNING);
        assertThat(repository.waves(id)).extracting(Wave::status).containsExactly(WaveStatus.RUNNING);

        // Once B leaves, its election holds no more either, though no one else was elected.
        repository.leave("ctl-2/b");
        assertThat(repository.endNotStarted(id, 0, StepState.SKIPPED, "not started", NOW, b)).isZero();
        assertThat(repository.actions(id)).extracting(RolloutAction::step)
                .containsExactly(StepState.PENDING, StepState.PENDING);
    }

    @Test
    void aWaveHaltsTogetherWithItsRolloutsPauseOrNotAtAll() {
        String id = createInOneWave(NOW, "a", "b");
        twoControllersBeat();
        Election a = elected("ctl-1/a", NOW);
        Rollout scheduled = repository.rollout(id).orElseThrow();
        Rollout running = scheduled.withStatus(RolloutStatus.RUNNING, null, null);
        Wave wave = repository.waves(id).get(0);
        Wave open = new Wave(id, 1, wave.size(), wave.maxErrors(), WaveStatus.RUNNING, NOW, null);
        assertThat(repository.moveRollout(running, RolloutStatus.SCHEDULED, a)).isTrue();
        assertThat(repository.moveWave(open, WaveStatus.PENDING, a)).isTrue();
        Wave halted = new Wave(id, 1, wave.size(), wave.maxErrors(), WaveStatus.HALTED, NOW, NOW.plusSeconds(5));
        Rollout paused = running.withStatus(RolloutStatus.PAUSED, null, "wave 1: 1 of 2 servers failed");

        // deposed: neither move
        Election b = elected("ctl-2/b", NOW.plusSeconds(31));
        assertThat(repository.haltWave(halted, paused, a)).isFalse();
        assertThat(repository.status(id)).hasValue(RolloutStatus.RUNNING);
        assertThat(repository.waves(id)).extracting(Wave::status).containsExactly(WaveStatus.RUNNING);

        // the rollout no longer running (an operator paused it): the wave is not halted alone either
        assertThat(repository.moveRollout(paused.withStatus(RolloutStatus.PAUSED, null, "by an operator"),
                RolloutStatus.RUNNING)).isTrue();
        assertThat(repository.haltWave(halted, paused, b)).isFalse();
        assertThat(repository.waves(id)).extracting(Wave::status).containsExactly(WaveStatus.RUNNING);

        // the elected controller, the rollout running: both
        assertThat(repository.moveRollout(running, RolloutStatus.PAUSED)).isTrue();
        assertThat(repository.haltWave(halted, paused, b)).isTrue();
        assertThat(repository.rollout(id).orElseThrow()).satisfies(r -> {
            assertThat(r.status()).isEqualTo(RolloutStatus.PAUSED);
            assertThat(r.detail()).isEqualTo("wave 1: 1 of 2 servers failed");
        });
        assertThat(repository.waves(id)).extracting(Wave::status).containsExactly(WaveStatus.HALTED);
    }

    private void twoControllersBeat() {
        repository.heartbeat("ctl-1/a", "h1", NOW, NOW, NOW.plusSeconds(3600));
        repository.heartbeat("ctl-2/b", "h2", NOW, NOW, NOW.plusSeconds(3600));
    }

    /** Elected for 30 s from {@code at}. */
    private Election elected(String owner, Instant at) {
        return new Election(ROLE, owner, repository.elect(ROLE, owner, at, at.plusSeconds(30)).orElseThrow());
    }

    @Test
    void controllersElectingTogetherElectOne() throws Exception {
        int count = 6;
        List<InventoryDatabase> pools = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<OptionalLong>> votes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                // a pool of connections each, as processes would have
                InventoryDatabase pool = i == 0 ? database : TestDatabases.open(dir);
                if (i > 0) {
                    pools.add(pool);
                }
                JdbcRolloutRepository controller = new JdbcRolloutRepository(pool);
                String owner = "ctl-" + i + "/x";
                controller.heartbeat(owner, "h", NOW, NOW, NOW.plusSeconds(3600));
                votes.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return controller.elect(ROLE, owner, NOW, NOW.plusSeconds(30));
                }));
            }
            start.countDown();
            int elected = 0;
            for (Future<OptionalLong> vote : votes) {
                elected += vote.get(60, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(elected).isEqualTo(1);
        } finally {
            threads.shutdownNow();
            pools.forEach(InventoryDatabase::close);
        }
    }

    @Test
    void takingBackTheLeasesOfEarlierIncarnationsLeavesThoseOfALiveControllerOfTheSameName() {
        String id = createInOneWave(NOW, "a", "b", "c");
        List<RolloutAction> actions = repository.actions(id);
        Instant now = Instant.now();
        repository.heartbeat("ctl-1/dead", "h", now.minusSeconds(120), now.minusSeconds(60), now.minusSeconds(40));
        repository.heartbeat("ctl-1/alive", "h", now, now, now.plusSeconds(3600));
        repository.claim(actions.get(0).id(), "ctl-1/dead", now, now.plusSeconds(3600));
        repository.claim(actions.get(1).id(), "ctl-1/alive", now, now.plusSeconds(3600));

        assertThat(repository.expireLeases("ctl-1/", "ctl-1/new")).isEqualTo(1);

        assertThat(repository.actions(id)).extracting(RolloutAction::leaseOwner)
                .containsExactly(null, "ctl-1/alive", null);
    }

    @Test
    void eachStepNamesTheControllerThatWroteIt() {
        String id = createInOneWave(NOW, "a", "b");
        List<RolloutAction> actions = repository.actions(id);
        long before = repository.lastStep();
        RolloutAction one = repository.claim(actions.get(0).id(), "ctl-1/x", NOW, NOW.plusSeconds(60)).orElseThrow();
        RolloutAction two = repository.claim(actions.get(1).id(), "ctl-2/y", NOW, NOW.plusSeconds(60)).orElseThrow();
        repository.record(one.id(), one.fence(), new ActionUpdate(StepState.CONNECTING, null, null, "connecting",
                Map.of(), NOW.plusSeconds(60), true, NOW));
        repository.record(two.id(), two.fence(), new ActionUpdate(StepState.CONNECTING, null, null, "connecting",
                Map.of(), NOW.plusSeconds(60), true, NOW));
        // the last step lets the lease go: still written by its holder
        repository.record(one.id(), one.fence(), new ActionUpdate(StepState.DONE, null, null, "upgraded", Map.of(),
                null, true, NOW));

        List<ActionStep> steps = repository.stepsAfter(id, before);

        assertThat(steps).extracting(ActionStep::controller, step -> step.record().server(),
                step -> step.record().step()).containsExactly(tuple("ctl-1/x", "a", StepState.CONNECTING),
                tuple("ctl-2/y", "b", StepState.CONNECTING), tuple("ctl-1/x", "a", StepState.DONE));
        assertThat(repository.stepsAfter(id, steps.get(1).seq())).hasSize(1);
        assertThat(repository.lastStep()).isEqualTo(steps.get(2).seq());
    }
}
