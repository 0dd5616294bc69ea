package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.inventory.internal.InventoryDatabase;
import org.fleetup.inventory.internal.JdbcRolloutRepository;
import org.fleetup.simulator.DemoApplication;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plan's estimated duration, from the transfer rates and round trips a real inventory recorded. */
class RolloutEstimatorTest {

    private static final long MIB = 1024 * 1024;
    private static final RolloutEstimator.Defaults TEN_SECONDS_AT_1_MIB = new RolloutEstimator.Defaults(MIB,
            Duration.ofSeconds(10));

    @TempDir
    Path dir;

    private InventoryDatabase database;

    @AfterEach
    void close() {
        if (database != null) {
            database.close();
        }
    }

    private JdbcRolloutRepository repository() {
        String url = "jdbc:h2:file:" + dir.resolve("fleetup");
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "fleetup", "test");
        database = new InventoryDatabase(pool, url, pool::dispose);
        return new JdbcRolloutRepository(database);
    }

    private static Plan plan(long size, String... upgraded) {
        List<PlanEntry> entries = new ArrayList<>(Stream.of(upgraded)
                .map(server -> new PlanEntry(server, "1.4.2", Decision.UPGRADE, "1.4.2 -> 2.0.0")).toList());
        entries.add(new PlanEntry("current-01", "2.0.0", Decision.CURRENT, "runs 2.0.0 already"));
        return new Plan(new Release("demo-app", "2.0.0", Release.DEFAULT_KIND, "0".repeat(64), size,
                "demo-app.tar.gz", Instant.now()), entries, Instant.now());
    }

    private static RolloutOptions options(Size canary, Size wave, int parallelism) {
        return new RolloutOptions(canary, wave, Size.percent(10), OnError.PAUSE, ServerOrder.NAME, parallelism, false);
    }

    @Test
    void wavesFollowOneAnotherAndTheServersOfAWaveShareTheParallelWorkers() {
        RolloutEstimator estimator = new RolloutEstimator(repository(), TEN_SECONDS_AT_1_MIB, 64, Duration.ZERO);
        // 1 MiB at the default 1 MiB/s, plus 10 s: 11 s a server. Waves of 1, 2, 2.
        Plan plan = plan(MIB, "web-01", "web-02", "web-03", "web-04", "web-05");

        Estimate twoAtATime = estimator.estimate(plan, options(Size.count(1), Size.count(2), 2));
        Estimate oneAtATime = estimator.estimate(plan, options(Size.count(1), Size.count(2), 1));
        Estimate allAtOnce = estimator.estimate(plan, options(Size.count(0), Size.percent(100), 10));

        assertThat(twoAtATime.duration()).isEqualTo(Duration.ofSeconds(11 + 11 + 11));
        assertThat(oneAtATime.duration()).isEqualTo(Duration.ofSeconds(11 + 22 + 22));
        assertThat(allAtOnce.duration()).isEqualTo(Duration.ofSeconds(11));
        assertThat(twoAtATime.waves()).isEqualTo(3);
        assertThat(twoAtATime.servers()).as("the CURRENT server is not sent anything").isEqualTo(5);
        assertThat(twoAtATime.measuredRates()).isZero();
        assertThat(twoAtATime.assumedRate()).isEqualTo(MIB);
        assertThat(twoAtATime.perServer()).isEqualTo(Duration.ofSeconds(10));
        assertThat(twoAtATime.perServerLearnedFrom()).isZero();
    }

    @Test
    void theEnginesWorkersBoundARolloutsParallelismAndEachWaveWaitsATick() {
        RolloutEstimator estimator = new RolloutEstimator(repository(), TEN_SECONDS_AT_1_MIB, 2,
                Duration.ofMillis(500));

        Estimate estimate = estimator.estimate(plan(MIB, "web-01", "web-02", "web-03", "web-04"),
                options(Size.count(0), Size.percent(100), 10));

        assertThat(estimate.duration()).isEqualTo(Duration.ofMillis(500 + 22_000));
    }

    @Test
    void serversWithNoMeasuredRateAreCountedAtTheMedianOfThoseMeasuredAndRoundTripsAddUp() {
        JdbcRolloutRepository repository = repository();
        repository.recordTransfer("web-a", MIB, Duration.ofSeconds(1));
        repository.recordTransfer("web-b", 2 * MIB, Duration.ofSeconds(1));
        repository.recordTransfer("web-d", 8 * MIB, Duration.ofSeconds(1));
        // Measured, but not in the plan: not part of its median.
        repository.recordTransfer("elsewhere", 100 * MIB, Duration.ofSeconds(1));
        repository.recordRoundTrip("web-a", Duration.ofMillis(100));
        RolloutEstimator estimator = new RolloutEstimator(repository, new RolloutEstimator.Defaults(MIB,
                Duration.ZERO), 64, Duration.ZERO);

        Estimate estimate = estimator.estimate(plan(4 * MIB, "web-a", "web-b", "web-c", "web-d"),
                options(Size.count(0), Size.percent(100), 1));

        assertThat(estimate.measuredRates()).isEqualTo(3);
        assertThat(estimate.assumedRate()).isCloseTo(2.0 * MIB, within(1.0));
        // 4 MiB: a at 1 MiB/s 4 s and 12 round trips of 100 ms; b at 2 MiB/s 2 s; c at the median 2 s; d 0.5 s.
        assertThat(estimate.duration().toMillis()).isCloseTo(4_000 + 1_200 + 2_000 + 2_000 + 500, within(2L));
    }

    @Test
    void aServersOwnTimeLeavesOutItsTransferAndItsWaits() {
        Instant t0 = Instant.parse("2026-12-01T03:00:00Z");
        List<StepRecord> history = List.of(step(StepState.CONNECTING, t0, 0), step(StepState.TRANSFERRING, t0, 1),
                step(StepState.VERIFYING, t0, 5), step(StepState.WAITING, t0, 6), step(StepState.INSTALLING, t0, 16),
                step(StepState.CHECKING, t0, 17), step(StepState.DONE, t0, 19));

        assertThat(RolloutEstimator.ownTime(history)).contains(Duration.ofSeconds(1 + 1 + 1 + 2));
        assertThat(RolloutEstimator.ownTime(history.subList(0, 6))).as("not done").isEmpty();
    }

    /** A real rollout of two simulated servers: what they took is what the next plan counts. */
    @Test
    void theTimePerServerIsLearnedFromTheServersEarlierRolloutsUpgraded() throws Exception {
        try (TestController controller = new TestController(dir.resolve("controller"))) {
            controller.release("2.0.0");
            FleetRouting routing = controller.start();
            List<SimulatedHost> hosts = controller.servers("web", 2, "1.4.2");
            RolloutOptions options = options(Size.count(0), Size.percent(100), 2);
            Plan plan = plan(controller.store.require(DemoApplication.PRODUCT, "2.0.0").size(),
                    TestController.names(hosts).toArray(String[]::new));
            Estimate before = routing.estimate(plan, options);

            Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                    TestController.names(hosts), 2, null, false, "tester", options));
            routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Estimate after = routing.estimate(plan, options);

            assertThat(before.perServerLearnedFrom()).isZero();
            assertThat(before.measuredRates()).isZero();
            assertThat(after.perServerLearnedFrom()).isEqualTo(2);
            assertThat(after.measuredRates()).as("each transfer measured").isEqualTo(2);
            assertThat(after.perServer()).as("a simulated server on loopback takes well under the default")
                    .isPositive().isLessThan(before.perServer());
            assertThat(after.duration()).isLessThan(before.duration());
        }
    }

    private static StepRecord step(StepState step, Instant t0, int second) {
        return new StepRecord("r", "web-01", step, "", t0.plusSeconds(second));
    }
}
