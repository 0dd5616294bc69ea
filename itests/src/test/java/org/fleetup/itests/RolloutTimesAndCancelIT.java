package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Start times an operator gets wrong are refused before anything is saved; a scheduled rollout can be cancelled, and
 * holds its servers until then.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RolloutTimesAndCancelIT extends FleetupTestSupport {


    private List<SimulatedHost> hosts(String prefix, int count) throws Exception {

        ok("fleet:sim-start --prefix " + prefix + " --version 1.4.2 " + count);
        return simulator.hosts().stream().filter(h -> h.name().startsWith(prefix + "-")).toList();
    }

    /** The id of the one rollout the listing shows as scheduled. */
    private static Optional<String> scheduled(String listing) {
        return listing.lines().filter(line -> line.matches(".*\\|\\s*SCHEDULED\\s*\\|.*"))
                .map(line -> line.substring(0, line.indexOf('|')).strip()).findFirst();
    }

    @Test
    public void aStartYearsAheadIsRefusedAndNothingIsSaved() throws Exception {
        List<SimulatedHost> hosts = hosts("typo", 1);
        String before = ok("fleet:rollout-status");

        Result result = run("fleet:rollout-start --release demo-app/2.0.0 --yes --at 2400-01-01T00:00 "
                + hosts.get(0).name());

        assertTrue(result.all(), result.failed());
        String message = result.error().getMessage();
        assertTrue(message, message.contains("'2400-01-01T00:00' is ") && message.contains("days ahead"));
        assertTrue(message, message.contains("maxDaysAhead of org.fleetup.scheduling"));
        assertTrue(message, message.contains("Did you mean "));
        assertEquals("no rollout saved", before, ok("fleet:rollout-status"));
        assertEquals("releases/1.4.2", currentTarget(hosts.get(0).root()));
    }

    @Test
    public void aStartThatHasPassedIsRefusedAndNothingIsSaved() throws Exception {
        List<SimulatedHost> hosts = hosts("past", 1);
        String before = ok("fleet:rollout-status");

        Result result = run("fleet:rollout-start --release demo-app/2.0.0 --yes --at 2020-01-01T00:00:00Z "
                + hosts.get(0).name());

        assertTrue(result.all(), result.failed());
        String message = result.error().getMessage();
        assertTrue(message, message.contains("'2020-01-01T00:00:00Z' has passed"));
        assertTrue(message, message.contains("now to start at once"));
        assertEquals("no rollout saved", before, ok("fleet:rollout-status"));
    }

    @Test
    public void aScheduledRolloutHoldsItsServersUntilCancelledAndNeverStarts() throws Exception {
        List<SimulatedHost> hosts = hosts("held", 2);
        String names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));
        Path artifact = Files.createTempDirectory("fleetup-it").resolve("demo-app-3.0.0.tar.gz");
        ok("fleet:sim-release --version 3.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 3.0.0 " + artifact);
        Instant at = Instant.now().plus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);

        String started = ok("fleet:rollout-start --release demo-app/3.0.0 --yes --at " + at + " " + names);
        String id = started.replaceAll("(?s).*Rollout ([\\w-]+) of.*", "$1");
        assertTrue(ok("fleet:rollout-status " + id).contains(": SCHEDULED"));

        // A second rollout naming one of its servers is refused, and says what to do.
        String listed = ok("fleet:rollout-status");
        Result second = run("fleet:rollout-start --release demo-app/3.0.0 --yes --at " + at + " "
                + hosts.get(1).name());
        assertTrue(second.all(), second.failed());
        String conflict = second.error().getMessage();
        assertTrue(conflict, conflict.contains(hosts.get(1).name() + " is in rollout " + id + " (SCHEDULED)"));
        assertTrue(conflict, conflict.contains("'fleet:rollout-cancel " + id + "'"));
        assertEquals("the second rollout was not saved", listed, ok("fleet:rollout-status"));

        String cancelled = ok("fleet:rollout-cancel " + id);

        assertTrue(cancelled, cancelled.contains("Rollout " + id + " cancelled"));
        String status = ok("fleet:rollout-status " + id);
        assertTrue(status, status.contains(": CANCELLED"));
        assertTrue(status, status.contains("not started: rollout cancelled by"));
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " untouched", "releases/1.4.2", currentTarget(host.root()));
            assertFalse(Files.exists(host.root().resolve("demo-app/releases/3.0.0")));
        }
        Result again = run("fleet:rollout-cancel " + id);
        assertTrue(again.all(), again.failed() && again.error().getMessage().contains("has ended CANCELLED"));
        // Cancelled, it holds them no longer; and a rollout followed with --wait ends failing when it is cancelled.
        ExecutorService follower = Executors.newSingleThreadExecutor();
        try {
            Future<Result> following = follower.submit(() -> run("fleet:rollout-start --release demo-app/3.0.0 --yes"
                    + " --wait --at " + at + " " + hosts.get(1).name()));
            String next = await("the followed rollout, scheduled").atMost(60, TimeUnit.SECONDS)
                    .pollInterval(200, TimeUnit.MILLISECONDS)
                    .until(() -> scheduled(ok("fleet:rollout-status")), Optional::isPresent).orElseThrow();
            ok("fleet:rollout-cancel " + next);
            Result followed = following.get(60, TimeUnit.SECONDS);
            assertTrue(followed.all(), followed.failed());
            assertTrue(followed.all(), followed.error().getMessage().contains("Rollout " + next + " was cancelled by"));
        } finally {
            follower.shutdownNow();
        }
    }
}
