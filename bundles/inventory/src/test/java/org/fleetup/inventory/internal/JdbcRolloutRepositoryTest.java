package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

class JdbcRolloutRepositoryTest extends InventoryFixture {

    private static final Instant CREATED = TestDatabases.kept(Instant.parse("2026-11-24T10:15:30.123456789Z"));

    static Rollout rollout(String id, List<String> servers, Instant created) {
        return new Rollout(id, "demo-app", "2.0.0", servers, 3, true, RolloutStatus.SCHEDULED, created,
                created.plusSeconds(3600), null, null);
    }

    @Test
    void savedRolloutIsReadBackWithItsServersInOrder() {
        Rollout rollout = rollout("r1", List.of("web-03", "web-01", "web-02"), CREATED);

        repository.saveRollout(rollout);

        assertThat(repository.rollout("r1")).contains(rollout);
        assertThat(repository.rollout("r2")).isEmpty();
    }

    @Test
    void savingARolloutAgainUpdatesIt() {
        Rollout rollout = rollout("r1", List.of("a", "b"), CREATED);
        repository.saveRollout(rollout);
        Rollout aborted = rollout.withStatus(RolloutStatus.ABORTED, CREATED.plusSeconds(7200), "3 servers failed");

        repository.saveRollout(aborted);

        assertThat(repository.rollout("r1")).contains(aborted);
        assertThat(repository.rollouts()).hasSize(1);
    }

    @Test
    void theStatusAloneIsReadAsTheRolloutHasIt() {
        Rollout rollout = rollout("r1", List.of("a", "b"), CREATED);
        repository.saveRollout(rollout);
        repository.saveRollout(rollout.withStatus(RolloutStatus.PAUSED, null, "paused by tester"));

        assertThat(repository.status("r1")).contains(RolloutStatus.PAUSED);
        assertThat(repository.status("r2")).isEmpty();
    }

    @Test
    void rolloutServersComeInTheRolloutsOrderWhateverOrderTheyWereSavedIn() {
        repository.saveRollout(rollout("r1", List.of("c", "a", "b"), CREATED));

        repository.saveServer(state("r1", "b", StepState.TRANSFERRING));
        repository.saveServer(state("r1", "a", StepState.DONE));

        assertThat(repository.servers("r1")).extracting(RolloutServer::server, RolloutServer::state)
                .containsExactly(tuple("c", StepState.PENDING),
                        tuple("a", StepState.DONE),
                        tuple("b", StepState.TRANSFERRING));
    }

    @Test
    void savingAServerAgainReplacesItsState() {
        repository.saveRollout(rollout("r1", List.of("a"), CREATED));
        repository.saveServer(state("r1", "a", StepState.INSTALLING));
        RolloutServer done = new RolloutServer("r1", "a", StepState.DONE, "1.4.2", "2.0.0", "upgraded",
                CREATED.plusSeconds(90), 1);

        repository.saveServer(done);

        assertThat(repository.servers("r1")).containsExactly(done);
    }

    @Test
    void aServerTheRolloutDidNotListComesAfterTheOthers() {
        repository.saveRollout(rollout("r1", List.of("b", "a"), CREATED));

        repository.saveServer(state("r1", "0-extra", StepState.FAILED));

        assertThat(repository.servers("r1")).extracting(RolloutServer::server).containsExactly("b", "a", "0-extra");
        assertThat(repository.rollout("r1").orElseThrow().servers()).containsExactly("b", "a", "0-extra");
    }

    @Test
    void stateOfAServerOfAnUnsavedRolloutIsRefused() {
        assertThatThrownBy(() -> repository.saveServer(state("ghost", "a", StepState.PENDING)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_NOT_FOUND))
                .hasMessageContaining("ghost");
    }

    @Test
    void rolloutsAreNewestFirst() {
        repository.saveRollout(rollout("r-old", List.of("a"), CREATED));
        repository.saveRollout(rollout("r-new", List.of("b", "c"), CREATED.plusSeconds(60)));
        repository.saveRollout(rollout("r-mid", List.of(), CREATED.plusSeconds(30)));

        assertThat(repository.rollouts()).extracting(Rollout::id).containsExactly("r-new", "r-mid", "r-old");
        assertThat(repository.rollouts().get(0).servers()).containsExactly("b", "c");
    }

    @Test
    void unfinishedRolloutsAreThoseThatHaveNotEndedOldestFirstWithTheirServers() throws Exception {
        repository.saveRollout(rollout("r-running", List.of("a", "b"), CREATED.plusSeconds(10))
                .withStatus(RolloutStatus.RUNNING, null, null));
        repository.saveRollout(rollout("r-scheduled", List.of("c"), CREATED.plusSeconds(20)));
        repository.saveRollout(rollout("r-cancelling", List.of("d"), CREATED)
                .withStatus(RolloutStatus.CANCELLING, null, null));
        for (RolloutStatus ended : List.of(RolloutStatus.FINISHED, RolloutStatus.ABORTED, RolloutStatus.CANCELLED)) {
            repository.saveRollout(rollout("r-" + ended, List.of("a", "c"), CREATED.plusSeconds(5))
                    .withStatus(ended, CREATED.plusSeconds(6), "ended"));
        }
        // A status written by another Fleetup, which this one cannot read: left alone, never a reason to fail.
        try (Connection connection = TestDatabases.connect(dir);
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO rollouts (id, product, version, parallelism, force, status)"
                    + " VALUES ('r-alien', 'demo-app', '2.0.0', 1, FALSE, 'PAUSED_BY_ALIENS')");
        }

        assertThat(repository.unfinished()).extracting(Rollout::id, Rollout::status, Rollout::servers)
                .containsExactly(tuple("r-cancelling", RolloutStatus.CANCELLING, List.of("d")),
                        tuple("r-running", RolloutStatus.RUNNING, List.of("a", "b")),
                        tuple("r-scheduled", RolloutStatus.SCHEDULED, List.of("c")));
    }

    @Test
    void everyStateSavedFromSeveralThreadsAtOnceIsKept() throws Exception {
        List<String> servers = IntStream.range(0, 40).mapToObj(i -> String.format("web-%02d", i)).toList();
        repository.saveRollout(rollout("r1", servers, CREATED));
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> saves = new ArrayList<>();
            for (String server : servers) {
                saves.add(threads.submit(() -> {
                    for (StepState step : List.of(StepState.CONNECTING, StepState.TRANSFERRING, StepState.DONE)) {
                        repository.saveServer(state("r1", server, step));
                    }
                }));
            }
            for (Future<?> save : saves) {
                save.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(repository.servers("r1")).extracting(RolloutServer::server).containsExactlyElementsOf(servers);
        assertThat(repository.servers("r1")).allMatch(s -> s.state() == StepState.DONE);
    }

    private static RolloutServer state(String rollout, String server, StepState state) {
        return new RolloutServer(rollout, server, state, "1.4.2", null, state.name().toLowerCase(),
                CREATED.plusSeconds(5));
    }
}
