package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveProgress;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

/** Rollouts as the engine stores them: created once, in waves; actions claimed with a lease and written fenced. */
class RolloutActionsTest extends InventoryFixture {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");

    private static Rollout rollout(String id, String... servers) {
        return new Rollout(id, "demo-app", "2.0.0", List.of(servers), 2, false, RolloutStatus.SCHEDULED, NOW, NOW,
                null, null);
    }

    private static Wave wave(String rollout, int number, int size, int maxErrors) {
        return new Wave(rollout, number, size, maxErrors, WaveStatus.PENDING, null, null);
    }

    private String create(String... servers) {
        String id = UUID.randomUUID().toString();
        repository.create(rollout(id, servers), List.of(wave(id, 1, 1, 1), wave(id, 2, servers.length - 1, 1)));
        return id;
    }

    @Test
    void aRolloutIsCreatedWithItsWavesAndOneActionPerServerInOrder() {
        String id = create("c", "a", "b");

        assertThat(repository.waves(id)).extracting(Wave::number, Wave::size, Wave::maxErrors, Wave::status)
                .containsExactly(tuple(1, 1, 1, WaveStatus.PENDING), tuple(2, 2, 1, WaveStatus.PENDING));
        assertThat(repository.servers(id)).extracting(RolloutServer::server, RolloutServer::wave, RolloutServer::state)
                .containsExactly(tuple("c", 1, StepState.PENDING), tuple("a", 2, StepState.PENDING),
                        tuple("b", 2, StepState.PENDING));
        assertThat(repository.actions(id)).allSatisfy(action -> {
            assertThat(UUID.fromString(action.id()).toString()).isEqualTo(action.id());
            assertThat(action.fence()).isZero();
        });
    }

    @Test
    void aRolloutIdThatExistsIsNeverOverwritten() {
        String id = create("a", "b");

        assertThatThrownBy(() -> repository.create(rollout(id, "x", "y"), List.of(wave(id, 1, 2, 1))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_CONFLICT));
        assertThat(repository.rollout(id).orElseThrow().servers()).containsExactly("a", "b");
    }

    @Test
    void aServerIsInOneRolloutThatHasNotEndedAndIsFreedWhenItEnds() {
        String holder = create("a", "b");

        assertThatThrownBy(() -> create("b", "c"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_CONFLICT))
                .hasMessageStartingWith("b is in rollout " + holder + " (SCHEDULED)");
        assertThat(repository.rollouts()).hasSize(1);

        repository.saveRollout(repository.rollout(holder).orElseThrow()
                .withStatus(RolloutStatus.CANCELLED, NOW, "cancelled"));
        assertThat(repository.servers(create("b", "c"))).hasSize(2);
    }

    @Test
    void theDatabaseItselfRefusesASecondRolloutHoldingAServer() throws Exception {
        create("a", "b");
        String other = UUID.randomUUID().toString();
        // As a controller that skipped the check would: straight into the tables.
        database.run("insert", connection -> {
            try (var insert = connection.prepareStatement("INSERT INTO rollouts (id, product, version, parallelism,"
                    + " force, status) VALUES (?, 'demo-app', '2.0.0', 1, FALSE, 'RUNNING')")) {
                insert.setString(1, other);
                insert.executeUpdate();
            }
            return null;
        });

        assertThatThrownBy(() -> database.run("insert", connection -> {
            try (var insert = connection.prepareStatement("INSERT INTO rollout_actions (id, rollout, wave, position,"
                    + " server, step, held_server) VALUES (" + database.dialect().randomUuid() + ", ?, 1, 0, 'a', 'PENDING', 'a')")) {
                insert.setString(1, other);
                return insert.executeUpdate();
            }
        })).isInstanceOf(FleetupException.class).message().containsIgnoringCase("ONE_ROLLOUT_PER_SERVER");
    }

    @Test
    void aClaimHoldsTheActionUntilItsLeaseExpiresAndRaisesTheFence() {
        String id = create("a", "b");
        String action = repository.actions(id).get(0).id();

        RolloutAction first = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        assertThat(first.fence()).isEqualTo(1);
        assertThat(first.leaseOwner()).isEqualTo("ctl-1/x");
        assertThat(repository.claim(action, "ctl-2/y", NOW.plusSeconds(29), NOW.plusSeconds(59)))
                .as("held by ctl-1").isEmpty();

        RolloutAction second = repository.claim(action, "ctl-2/y", NOW.plusSeconds(31), NOW.plusSeconds(61))
                .orElseThrow();
        assertThat(second.fence()).isEqualTo(2);
        assertThat(second.attempt()).isEqualTo(2);
    }

    @Test
    void controllersRacingForEveryActionOfOneDatabaseEachClaimADifferentOne() throws Exception {
        String id = create(IntStream.range(0, 60).mapToObj(i -> "web-" + i).toArray(String[]::new));
        List<String> actions = repository.actions(id).stream().map(RolloutAction::id).toList();
        // two controllers: a pool of connections each, as two processes would have
        try (InventoryDatabase other = TestDatabases.open(dir)) {
            List<JdbcRolloutRepository> controllers = List.of(repository, new JdbcRolloutRepository(other));
            ExecutorService threads = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<RolloutAction>>> claimed = new ArrayList<>();
            try {
                for (int t = 0; t < 8; t++) {
                    JdbcRolloutRepository controller = controllers.get(t % 2);
                    String owner = "ctl-" + (t % 2) + "/worker-" + t;
                    claimed.add(threads.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        List<RolloutAction> mine = new ArrayList<>();
                        for (String action : actions) {
                            controller.claim(action, owner, NOW, NOW.plusSeconds(30)).ifPresent(mine::add);
                        }
                        return mine;
                    }));
                }
                start.countDown();
                List<RolloutAction> all = new ArrayList<>();
                for (Future<List<RolloutAction>> worker : claimed) {
                    all.addAll(worker.get(60, TimeUnit.SECONDS));
                }

                assertThat(all).extracting(RolloutAction::id).as("each action claimed once")
                        .containsExactlyInAnyOrderElementsOf(actions);
                assertThat(all).extracting(RolloutAction::fence).containsOnly(1L);
                assertThat(repository.actions(id)).allSatisfy(action -> assertThat(all).anySatisfy(mine -> {
                    assertThat(mine.id()).isEqualTo(action.id());
                    assertThat(mine.leaseOwner()).as("the holder the database keeps").isEqualTo(action.leaseOwner());
                }));
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @Test
    void aWriteWithAStaleFenceIsRefusedAndChangesNothing() {
        String id = create("a", "b");
        String action = repository.actions(id).get(0).id();
        RolloutAction stale = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        repository.record(action, stale.fence(), update(StepState.CONNECTING, "connecting", Map.of("k", "1")));
        RolloutAction current = repository.claim(action, "ctl-2/y", NOW.plusSeconds(60), NOW.plusSeconds(90))
                .orElseThrow();

        assertThatThrownBy(() -> repository.record(action, stale.fence(),
                update(StepState.DONE, "upgraded", Map.of("k", "stale"))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));
        assertThatThrownBy(() -> repository.renew(action, stale.fence(), NOW.plusSeconds(120)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.LEASE_LOST));
        RolloutAction read = repository.actions(id).get(0);
        assertThat(read.step()).isEqualTo(StepState.CONNECTING);
        assertThat(read.journal()).containsExactly(Map.entry("k", "1"));

        Map<String, String> changes = new HashMap<>();
        changes.put("k", null);
        changes.put("unit", "u-1=x\nline");
        repository.record(action, current.fence(), update(StepState.TRANSFERRING, "sending", changes));
        assertThat(repository.actions(id).get(0).journal()).containsExactly(Map.entry("unit", "u-1=x\nline"));
        assertThat(repository.history(id, "a")).extracting(StepRecord::step, StepRecord::detail)
                .containsExactly(tuple(StepState.CONNECTING, "connecting"), tuple(StepState.TRANSFERRING, "sending"));
    }

    @Test
    void aControllerTakesBackTheLeasesOfItsEarlierIncarnationsOnly() {
        String id = create("a", "b", "c");
        List<RolloutAction> actions = repository.actions(id);
        repository.claim(actions.get(0).id(), "ctl-1/old", NOW, NOW.plusSeconds(3600));
        repository.claim(actions.get(1).id(), "ctl-10/other", NOW, NOW.plusSeconds(3600));
        repository.claim(actions.get(2).id(), "ctl-1/new", NOW, NOW.plusSeconds(3600));

        assertThat(repository.expireLeases("ctl-1/", "ctl-1/new")).isEqualTo(1);

        assertThat(repository.actions(id)).extracting(RolloutAction::leaseOwner)
                .containsExactly(null, "ctl-10/other", "ctl-1/new");
        assertThat(repository.claim(actions.get(0).id(), "ctl-1/new", NOW, NOW.plusSeconds(30))).isPresent();
    }

    @Test
    void serversNotStartedEndWithAHistoryRowAndThoseInFlightAreLeft() {
        String id = create("a", "b", "c");
        List<RolloutAction> actions = repository.actions(id);
        RolloutAction inFlight = repository.claim(actions.get(1).id(), "ctl-1/x", NOW, NOW.plusSeconds(30))
                .orElseThrow();

        assertThat(repository.endNotStarted(id, 0, StepState.SKIPPED, "not started: rollout cancelled", NOW))
                .isEqualTo(2);

        assertThat(repository.servers(id)).extracting(RolloutServer::server, RolloutServer::state)
                .containsExactly(tuple("a", StepState.SKIPPED), tuple("b", StepState.PENDING),
                        tuple("c", StepState.SKIPPED));
        assertThat(repository.history(id, "c")).extracting(StepRecord::step, StepRecord::detail)
                .containsExactly(tuple(StepState.SKIPPED, "not started: rollout cancelled"));
        repository.record(inFlight.id(), inFlight.fence(), update(StepState.DONE, "upgraded", Map.of()));
    }

    @Test
    void ofTwoControllersMakingTheSameChangeOneMakesIt() {
        String id = create("a", "b");
        Wave open = new Wave(id, 1, 1, 1, WaveStatus.RUNNING, NOW, null);

        assertThat(repository.moveWave(open, WaveStatus.PENDING)).isTrue();
        assertThat(repository.moveWave(open, WaveStatus.PENDING)).isFalse();
        assertThat(repository.waves(id).get(0)).isEqualTo(open);

        Rollout rollout = repository.rollout(id).orElseThrow();
        Rollout cancelled = rollout.withStatus(RolloutStatus.CANCELLED, NOW, "cancelled by tester");
        assertThat(repository.moveRollout(cancelled, RolloutStatus.SCHEDULED)).isTrue();
        assertThat(repository.moveRollout(rollout.withStatus(RolloutStatus.FINISHED, NOW, "2 upgraded"),
                RolloutStatus.SCHEDULED)).isFalse();
        assertThat(repository.rollout(id)).contains(cancelled);
        assertThat(repository.servers(create("a"))).as("an ended rollout holds no server").hasSize(1);
    }

    @Test
    void theLastTransferRateOfEachServerIsKept() {
        repository.recordTransfer("a", 1_000_000, Duration.ofSeconds(4));
        repository.recordTransfer("a", 1_000_000, Duration.ofSeconds(1));
        repository.recordTransfer("b", 500, Duration.ofSeconds(1));

        assertThat(repository.transferRates()).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1e6, "b", 500.0));
    }

    @Test
    void stepsWrittenTogetherLeaveTheRowAsWrittenOneByOneWithAHistoryRowEach() {
        String id = create("a", "b");
        String action = repository.actions(id).get(0).id();
        RolloutAction claimed = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        Map<String, String> removeFirst = new HashMap<>();
        removeFirst.put("first", null);
        removeFirst.put("second", "2");

        repository.record(action, claimed.fence(), List.of(
                new ActionUpdate(StepState.CONNECTING, "1.0.0", "2.0.0", "connecting", Map.of("first", "1"),
                        NOW.plusSeconds(30), true, NOW),
                new ActionUpdate(StepState.TRANSFERRING, null, null, "sending", removeFirst, NOW.plusSeconds(30),
                        true, NOW.plusSeconds(1)),
                new ActionUpdate(StepState.TRANSFERRING, null, null, "sent half", Map.of(), NOW.plusSeconds(40),
                        false, NOW.plusSeconds(2)),
                new ActionUpdate(StepState.DONE, null, "2.0.1", "upgraded", Map.of(), null, true,
                        NOW.plusSeconds(3))));

        RolloutAction read = repository.actions(id).get(0);
        assertThat(read).extracting(RolloutAction::step, RolloutAction::from, RolloutAction::to,
                        RolloutAction::detail, RolloutAction::leaseOwner, RolloutAction::leaseUntil,
                        RolloutAction::updatedAt)
                .containsExactly(StepState.DONE, "1.0.0", "2.0.1", "upgraded", null, null, NOW.plusSeconds(3));
        assertThat(read.journal()).containsExactly(Map.entry("second", "2"));
        assertThat(repository.history(id, "a")).extracting(StepRecord::step, StepRecord::detail, StepRecord::at)
                .containsExactly(tuple(StepState.CONNECTING, "connecting", NOW),
                        tuple(StepState.TRANSFERRING, "sending", NOW.plusSeconds(1)),
                        tuple(StepState.DONE, "upgraded", NOW.plusSeconds(3)));
        assertThat(repository.stepsAfter(id, 0)).extracting(ActionStep::controller)
                .as("every row names the lease's holder, the last one's too").containsOnly("ctl-1/x");
    }

    @Test
    void measuredRatesAndRoundTripsAreCommittedWithTheNextWriteAndKeptWhenItFails() throws Exception {
        String id = create("a", "b");
        String action = repository.actions(id).get(0).id();
        RolloutAction claimed = repository.claim(action, "ctl-1/x", NOW, NOW.plusSeconds(30)).orElseThrow();
        repository.recordTransfer("a", 1_000_000, Duration.ofSeconds(1));
        repository.recordRoundTrip("b", Duration.ofMillis(7));
        assertThat(rows("server_links") + rows("server_round_trips")).as("kept for the next write").isZero();

        assertThatThrownBy(() -> repository.record(action, claimed.fence() + 1,
                update(StepState.CONNECTING, "stale", Map.of()))).isInstanceOf(FleetupException.class);
        assertThat(rows("server_links") + rows("server_round_trips")).as("a refused write commits nothing").isZero();

        repository.record(action, claimed.fence(), update(StepState.CONNECTING, "connecting", Map.of()));
        assertThat(rows("server_links")).isEqualTo(1);
        assertThat(rows("server_round_trips")).isEqualTo(1);
        assertThat(repository.transferRates()).containsExactly(Map.entry("a", 1e6));
        assertThat(repository.roundTrips()).containsExactly(Map.entry("b", Duration.ofMillis(7)));
    }

    @Test
    void aPlanOfManyServersWritesItsRoundTripsInBatches() throws Exception {
        for (int i = 0; i < ActionTable.MEASURED_AT_MOST - 1; i++) {
            repository.recordRoundTrip("s" + i, Duration.ofMillis(i + 1));
        }
        assertThat(rows("server_round_trips")).isZero();

        repository.recordRoundTrip("last", Duration.ofMillis(1));

        assertThat(rows("server_round_trips")).isEqualTo(ActionTable.MEASURED_AT_MOST);
    }

    @Test
    void measurementsKeptAreWrittenWhenTheRepositoryStops() throws Exception {
        repository.recordTransfer("a", 2_000_000, Duration.ofSeconds(1));

        repository.deactivate();

        assertThat(rows("server_links")).isEqualTo(1);
    }

    @Test
    void aJournalReadsBackAsWrittenWhateverItHoldsAndTheSameJournalReadsTheSame() {
        Map<String, String> journal = new HashMap<>();
        journal.put("unit", "u-1=x\nline two\r\n");
        journal.put("#comment-like", "!value: with = signs # and \\ backslashes");
        journal.put(" spaced key", "  leading spaces, tab\there, \u00e9t\u00e9 \u2603");
        journal.put("created", "/srv/app/staging\n/srv/app");
        Map<String, String> reordered = new java.util.LinkedHashMap<>();
        List.of("created", " spaced key", "unit", "#comment-like").forEach(key -> reordered.put(key, journal.get(key)));

        String text = ActionTable.format(journal);

        assertThat(ActionTable.parse(text)).isEqualTo(journal);
        assertThat(ActionTable.format(reordered)).isEqualTo(text);
        assertThat(text.lines()).hasSize(journal.size()).noneMatch(line -> line.startsWith("#"));
    }

    private int rows(String table) {
        return database.run("count", connection -> {
            try (var select = connection.prepareStatement("SELECT COUNT(*) FROM " + table);
                 var row = select.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        });
    }

    private static ActionUpdate update(StepState step, String detail, Map<String, String> changes) {
        return new ActionUpdate(step, null, null, detail, changes, NOW.plusSeconds(30), true, NOW);
    }

    @Test
    void eachWavesProgressIsCountedAndARolloutIsReadWithoutItsServers() {
        String id = UUID.randomUUID().toString();
        String pull = org.fleetup.api.pull.PullAgents.server("00:11:22:33:44:55");
        repository.create(rollout(id, "a", "b", "c", "d", pull), List.of(wave(id, 1, 3, 1), wave(id, 2, 2, 1),
                wave(id, 3, 0, 1)));
        List<RolloutAction> actions = repository.actions(id);
        StepState[] ends = {StepState.DONE, StepState.ROLLED_BACK, null, StepState.FAILED};
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] != null) {
                RolloutAction claimed = repository.claim(actions.get(i).id(), "ctl-1/x", NOW, NOW.plusSeconds(60))
                        .orElseThrow();
                repository.record(claimed.id(), claimed.fence(), new ActionUpdate(ends[i], null, null, "ended",
                        Map.of(), null, true, NOW));
            }
        }

        assertThat(repository.progress(id)).containsExactly(new WaveProgress(1, 3, 2, 1, 0),
                new WaveProgress(2, 2, 1, 1, 1));
        assertThat(repository.summary(id)).hasValueSatisfying(rollout -> {
            assertThat(rollout.status()).isEqualTo(RolloutStatus.SCHEDULED);
            assertThat(rollout.servers()).isEmpty();
        });
        assertThat(repository.unfinishedSummaries()).extracting(Rollout::id, rollout -> rollout.servers().size())
                .containsExactly(tuple(id, 0));
        assertThat(repository.summary("no-such-rollout")).isEmpty();
    }
}
