package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

/** An action put aside until a time: fenced like a step, its lease let go, and claimed by no one before that time. */
class DeferTest extends InventoryFixture {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");
    private static final Instant LATER = NOW.plus(Duration.ofHours(3));

    @Test
    void aDeferredActionUnderWayWaitsUnleasedWithItsJournalAndIsClaimedOnlyFromItsTime() {
        String id = createInOneWave(NOW, "a");
        String action = repository.actions(id).get(0).id();
        RolloutAction claimed = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        repository.record(action, claimed.fence(), new ActionUpdate(StepState.TRANSFERRING, "1.0.0", null,
                "sending", Map.of("staging", "/tmp/s"), NOW.plusSeconds(30), true, NOW));

        repository.defer(action, claimed.fence(), LATER, "busy: tries again at " + LATER);

        RolloutAction deferred = repository.actions(id).get(0);
        assertThat(deferred.step()).isEqualTo(StepState.WAITING);
        assertThat(deferred.detail()).isEqualTo("busy: tries again at " + LATER);
        assertThat(deferred.leaseOwner()).isNull();
        assertThat(deferred.leaseUntil()).isNull();
        assertThat(deferred.notBefore()).isEqualTo(LATER);
        assertThat(deferred.deferredAt(LATER.minusNanos(1))).isTrue();
        assertThat(deferred.journal()).containsExactly(Map.entry("staging", "/tmp/s"));
        assertThat(deferred.from()).isEqualTo("1.0.0");
        assertThat(repository.history(id, "a")).extracting(StepRecord::step, StepRecord::detail)
                .containsExactly(tuple(StepState.TRANSFERRING, "sending"),
                        tuple(StepState.WAITING, "busy: tries again at " + LATER));

        assertThat(repository.claim(action, "ctl-2/y", LATER.minusSeconds(1), LATER.plusSeconds(29)))
                .as("not before its time, by any controller").isEmpty();
        RolloutAction again = repository.claim(action, "ctl-2/y", LATER, LATER.plusSeconds(30)).orElseThrow();
        assertThat(again.fence()).isEqualTo(claimed.fence() + 1);
        assertThat(again.notBefore()).isNull();
        assertThat(again.journal()).containsExactly(Map.entry("staging", "/tmp/s"));
    }

    @Test
    void aPendingActionDeferredStaysPendingSoThatACancelEndsItAsNotStarted() {
        String id = createInOneWave(NOW, "a", "b");
        String action = repository.actions(id).get(0).id();
        RolloutAction claimed = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();

        repository.defer(action, claimed.fence(), LATER, "waits for its maintenance window");

        assertThat(repository.actions(id).get(0)).satisfies(deferred -> {
            assertThat(deferred.step()).isEqualTo(StepState.PENDING);
            assertThat(deferred.detail()).isEqualTo("waits for its maintenance window");
        });
        assertThat(repository.endNotStarted(id, 0, StepState.SKIPPED, "not started: rollout cancelled", NOW))
                .isEqualTo(2);
        assertThat(repository.servers(id)).extracting(RolloutServer::state)
                .containsExactly(StepState.SKIPPED, StepState.SKIPPED);
    }

    @Test
    void aDeferWithAStaleFenceIsRefusedAndChangesNothing() {
        String id = createInOneWave(NOW, "a");
        String action = repository.actions(id).get(0).id();
        RolloutAction stale = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        RolloutAction current = repository.claim(action, "ctl-2/y", NOW.plusSeconds(31), NOW.plusSeconds(61))
                .orElseThrow();

        assertThatThrownBy(() -> repository.defer(action, stale.fence(), LATER, "stale"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));

        RolloutAction read = repository.actions(id).get(0);
        assertThat(read.leaseOwner()).isEqualTo("ctl-2/y");
        assertThat(read.fence()).isEqualTo(current.fence());
        assertThat(read.notBefore()).isNull();
        assertThat(repository.history(id, "a")).isEmpty();
    }

    @Test
    void theLastRoundTripOfEachServerIsKept() {
        repository.recordRoundTrip("a", Duration.ofMillis(40));
        repository.recordRoundTrip("a", Duration.ofMillis(4));
        repository.recordRoundTrip("b", Duration.ofMillis(90));

        assertThat(repository.roundTrips())
                .containsExactlyInAnyOrderEntriesOf(Map.of("a", Duration.ofMillis(4), "b", Duration.ofMillis(90)));
    }
}
