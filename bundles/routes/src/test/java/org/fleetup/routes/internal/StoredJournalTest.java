package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.inventory.internal.InventoryDatabase;
import org.fleetup.inventory.internal.JdbcRolloutRepository;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal of a claimed action against a real inventory: its heartbeat, and what it does once the lease is let go. */
class StoredJournalTest {

    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private InventoryDatabase database;
    private JdbcRolloutRepository repository;
    private String rollout;

    @BeforeEach
    void open() {
        String url = "jdbc:h2:file:" + dir.resolve("fleetup");
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "fleetup", "test");
        database = new InventoryDatabase(pool, url, pool::dispose);
        repository = new JdbcRolloutRepository(database);
        rollout = UUID.randomUUID().toString();
        Instant now = Instant.now();
        repository.create(new Rollout(rollout, "demo-app", "2.0.0", List.of("web-01", "web-02"), 2, false,
                RolloutStatus.RUNNING, now, now, null, null), List.of(new Wave(rollout, 1, 2, 1, WaveStatus.RUNNING,
                now, null)));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private StoredJournal claimed(String owner) {
        RolloutAction action = repository.actions(rollout).get(0);
        Instant now = Instant.now();
        RolloutAction claim = repository.claim(action.id(), owner, now, now.plus(LEASE)).orElseThrow();
        return new StoredJournal(repository, claim, LEASE, () -> false, new RolloutTracker(repository, owner));
    }

    @Test
    void aHeartbeatAfterTheEndIsNotMistakenForATakeOver() {
        StoredJournal journal = claimed("ctl-1/a");
        journal.finish(new ServerOutcome("web-01", StepState.DONE, "1.0.0", "2.0.0", "upgraded"));

        journal.renew();

        RolloutAction ended = repository.actions(rollout).get(0);
        assertThat(ended.step()).isEqualTo(StepState.DONE);
        assertThat(ended.leaseOwner()).isNull();
    }

    @Test
    void itsHolderWritesTheWholeJournalAndAJournalEmptiedIsStoredEmpty() {
        StoredJournal journal = claimed("ctl-1/a");
        journal.record(StepState.CONNECTING, "connecting", Map.of("previous", "releases/1.0.0", "staging", "/s"));
        journal.record(StepState.TRANSFERRING, "sending", Map.of("staging", "/t"));
        assertThat(repository.actions(rollout).get(0).journal())
                .isEqualTo(Map.of("previous", "releases/1.0.0", "staging", "/t"));
        Map<String, String> removeAll = new HashMap<>();
        removeAll.put("previous", null);
        removeAll.put("staging", null);

        journal.record(StepState.INSTALLING, "cleaned up", removeAll);

        assertThat(repository.actions(rollout).get(0).journal()).isEmpty();
        assertThat(repository.stepsAfter(rollout, 0)).extracting(step -> step.record().step(), ActionStep::controller)
                .containsExactly(tuple(StepState.CONNECTING, "ctl-1/a"), tuple(StepState.TRANSFERRING, "ctl-1/a"),
                        tuple(StepState.INSTALLING, "ctl-1/a"));
    }

    @Test
    void aJournalWriteOfAnActionClaimedSinceIsRefusedAndWritesNothing() {
        StoredJournal first = claimed("ctl-1/a");
        first.record(StepState.CONNECTING, "connecting", Map.of("previous", "releases/1.0.0"));
        repository.expireLeases("ctl-1/", "ctl-1/b");
        claimed("ctl-1/b");

        assertThatThrownBy(() -> first.record(StepState.TRANSFERRING, "sending", Map.of("staging", "/t")))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));
        assertThat(repository.actions(rollout).get(0).journal()).isEqualTo(Map.of("previous", "releases/1.0.0"));
        assertThat(repository.stepsAfter(rollout, 0)).extracting(step -> step.record().step())
                .containsExactly(StepState.CONNECTING);
    }

    @Test
    void aHeartbeatOfAnActionClaimedSinceIsRefused() {
        StoredJournal first = claimed("ctl-1/a");
        repository.expireLeases("ctl-1/", "ctl-1/b");
        claimed("ctl-1/b");

        assertThatThrownBy(first::renew).isInstanceOfSatisfying(FleetupException.class,
                e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));
    }
}
