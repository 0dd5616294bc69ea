package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.fleetup.api.pull.PullAgents;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

/** Due actions claimed in batches, one transaction each, by controllers claiming at the same time. */
class BatchClaimTest extends InventoryFixture {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");

    private String create(int waveOne, int waveTwo, int parallelism, String... servers) {
        String id = UUID.randomUUID().toString();
        repository.create(new Rollout(id, "demo-app", "2.0.0", List.of(servers), parallelism, false,
                RolloutStatus.RUNNING, NOW, NOW, null, null), List.of(
                new Wave(id, 1, waveOne, 1, WaveStatus.RUNNING, NOW, null),
                new Wave(id, 2, waveTwo, 1, WaveStatus.PENDING, null, null)));
        return id;
    }

    private static String[] servers(int count) {
        return IntStream.range(0, count).mapToObj(i -> String.format("s%04d", i)).toArray(String[]::new);
    }

    /**
     * Four controllers, each with a pool of its own as processes would have, claim a 400-server wave in batches of
     * seven at once until none is due: each server is claimed by exactly one of them (its fence raised once, its
     * lease naming that one), and none is left.
     */
    @Test
    void controllersClaimingAtOnceGetDisjointBatchesAndLeaveNoneOut() throws Exception {
        int count = 400;
        int claimers = 4;
        String id = create(count, 0, count, servers(count));
        List<InventoryDatabase> pools = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(claimers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<RolloutAction>>> claims = new ArrayList<>();
            for (int i = 0; i < claimers; i++) {
                InventoryDatabase pool = TestDatabases.open(dir);
                pools.add(pool);
                JdbcRolloutRepository controller = new JdbcRolloutRepository(pool);
                String owner = "ctl-" + i + "/x";
                claims.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    List<RolloutAction> mine = new ArrayList<>();
                    List<RolloutAction> batch;
                    do {
                        batch = controller.claimDue(id, 1, false, count, 7, Set.of(), owner, NOW,
                                NOW.plusSeconds(600));
                        assertThat(batch).hasSizeLessThanOrEqualTo(7);
                        mine.addAll(batch);
                    } while (!batch.isEmpty());
                    return mine;
                }));
            }
            start.countDown();
            Map<String, String> claimedBy = new HashMap<>();
            int claimed = 0;
            for (int i = 0; i < claimers; i++) {
                for (RolloutAction action : claims.get(i).get(120, TimeUnit.SECONDS)) {
                    claimed++;
                    claimedBy.put(action.id(), "ctl-" + i + "/x");
                    assertThat(action.leaseOwner()).isEqualTo("ctl-" + i + "/x");
                }
            }

            assertThat(claimed).as("claimed once each").isEqualTo(count);
            List<RolloutAction> stored = repository.actions(id);
            assertThat(claimedBy).as("none left out").hasSize(count);
            assertThat(stored).allSatisfy(action -> {
                assertThat(action.fence()).as("raised by one claim").isEqualTo(1);
                assertThat(action.attempt()).isEqualTo(1);
                assertThat(action.leaseOwner()).isEqualTo(claimedBy.get(action.id()));
            });
        } finally {
            threads.shutdownNow();
            pools.forEach(InventoryDatabase::close);
        }
    }

    @Test
    void aBatchTakesTheDueActionsOfItsWaveInOrderWithinTheRolloutsParallelism() {
        String id = create(4, 2, 3, "e", "d", PullAgents.server("00:11:22:33:44:55"), "c", "b", "a");
        List<RolloutAction> actions = repository.actions(id);
        RolloutAction done = repository.claim(actions.get(0).id(), "ctl-2/y", NOW, NOW.plusSeconds(60)).orElseThrow();
        repository.record(done.id(), done.fence(), new ActionUpdate(StepState.DONE, null, null, "upgraded", Map.of(),
                null, true, NOW));
        repository.claim(actions.get(1).id(), "ctl-2/y", NOW, NOW.plusSeconds(60)).orElseThrow();

        // "e" ended, "d" leased by another: of the first wave only "c" is due (a pull agent is never claimed).
        assertThat(repository.claimDue(id, 1, false, 3, 10, Set.of(), "ctl-1/x", NOW, NOW.plusSeconds(60)))
                .extracting(RolloutAction::server, RolloutAction::leaseOwner).containsExactly(tuple("c", "ctl-1/x"));
        assertThat(repository.claimDue(id, 1, false, 3, 10, Set.of(), "ctl-1/x", NOW, NOW.plusSeconds(60))).isEmpty();
        // Every wave: "d" and "c" are leased, so one more within 3.
        assertThat(repository.claimDue(id, 0, false, 3, 10, Set.of(), "ctl-1/x", NOW, NOW.plusSeconds(60)))
                .extracting(RolloutAction::server).containsExactly("b");
        // Only those begun: none is, of those free.
        assertThat(repository.claimDue(id, 0, true, 10, 10, Set.of(), "ctl-1/x", NOW, NOW.plusSeconds(60))).isEmpty();
        // The leases of "d", "c" and "b" expired: all three due again, then "a", within the limit of 4.
        assertThat(repository.claimDue(id, 0, false, 10, 4, Set.of(), "ctl-3/z", NOW.plusSeconds(61),
                NOW.plusSeconds(120))).extracting(RolloutAction::server).containsExactly("d", "c", "b", "a");
    }

    @Test
    void anActionItsClaimerStillWorksOnIsPassedOverThoughItsLeaseRanOut() {
        String id = create(2, 1, 3, "a", "b", "c");
        List<RolloutAction> claimed = repository.claimDue(id, 0, false, 3, 1, Set.of(), "ctl-1/x", NOW,
                NOW.plusSeconds(30));
        assertThat(claimed).extracting(RolloutAction::server).containsExactly("a");
        RolloutAction slow = claimed.get(0);

        // Its worker did not renew in time (a loaded machine): the same controller takes the others, not "a" again.
        assertThat(repository.claimDue(id, 0, false, 3, 10, Set.of(slow.id()), "ctl-1/x", NOW.plusSeconds(31),
                NOW.plusSeconds(61))).extracting(RolloutAction::server).containsExactly("b", "c");
        assertThat(repository.actions(id)).filteredOn(action -> action.server().equals("a"))
                .extracting(RolloutAction::fence).containsExactly(slow.fence());
        repository.renew(slow.id(), slow.fence(), NOW.plusSeconds(62));

        // Once its lease runs out again, a controller not working on it takes it over.
        assertThat(repository.claimDue(id, 0, false, 3, 10, Set.of(), "ctl-2/y", NOW.plusSeconds(63),
                NOW.plusSeconds(93))).extracting(RolloutAction::server).containsExactly("a", "b", "c");
    }
}
