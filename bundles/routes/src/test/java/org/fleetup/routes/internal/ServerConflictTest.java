package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server is in one rollout at a time, however the starts come. */
class ServerConflictTest {

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;
    private List<String> servers;

    @BeforeEach
    void open() throws Exception {
        controller = new TestController(dir);
        servers = TestController.names(controller.servers("web", 3, "1.4.2"));
        controller.release("2.0.0");
        routing = controller.start();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private Rollout startLater(String... names) {
        return routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of(names), 1,
                Instant.now().plusSeconds(3600), false, "tester"));
    }

    @Test
    void aServerHeldByARolloutThatHasNotEndedCannotJoinAnother() {
        Rollout holder = startLater(servers.get(0), servers.get(1));

        assertThatThrownBy(() -> startLater(servers.get(1), servers.get(2)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.ROLLOUT_CONFLICT))
                .hasMessageStartingWith(servers.get(1) + " is in rollout " + holder.id() + " (SCHEDULED)")
                .hasMessageContaining("'fleet:rollout-cancel " + holder.id() + "'");
        assertThat(routing.list()).extracting(Rollout::id).containsExactly(holder.id());

        assertThat(startLater(servers.get(2)).servers()).as("a server no rollout holds").containsExactly(servers.get(2));
        routing.cancel(holder.id(), "tester");
        assertThat(startLater(servers.get(1)).servers()).as("freed by the cancel").containsExactly(servers.get(1));
    }

    @Test
    void ofManyStartsAtOnceNamingTheSameServerOnlyOneGoesThrough() throws Exception {
        int starts = 8;
        CyclicBarrier together = new CyclicBarrier(starts);
        ExecutorService threads = Executors.newFixedThreadPool(starts);
        List<Future<Rollout>> results = new ArrayList<>();
        try {
            for (int i = 0; i < starts; i++) {
                results.add(threads.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return startLater(servers.get(0));
                }));
            }
            int started = 0;
            int refused = 0;
            for (Future<Rollout> result : results) {
                try {
                    result.get(60, TimeUnit.SECONDS);
                    started++;
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(FleetupException.class,
                            f -> assertThat(f.code()).isEqualTo(FleetupException.ROLLOUT_CONFLICT));
                    refused++;
                }
            }
            assertThat(started).isEqualTo(1);
            assertThat(refused).isEqualTo(starts - 1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(controller.repository.unfinished()).hasSize(1);
    }

    @Test
    void aServerOfARolloutThatHasEndedIsFree() throws Exception {
        Rollout first = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of(servers.get(0)), 1,
                null, false, "tester"));
        routing.completion(first.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(startLater(servers.get(0)).status()).isEqualTo(org.fleetup.api.rollout.RolloutStatus.SCHEDULED);
    }
}
