package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A cluster's maintenance window set by the operator on the running distribution: a rollout waits for it, says so,
 * touches nothing, and goes on once the window is changed, with no restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MaintenanceWindowIT extends FleetupTestSupport {

    @Test
    public void aRolloutWaitsForItsClustersWindowAndGoesOnWhenTheWindowIsOpenedWithNoRestart() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix win --version 1.4.2 1");
        SimulatedHost host = simulator.hosts().stream().filter(h -> h.name().equals("win-01")).findFirst()
                .orElseThrow();
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        // Closed now whatever the day: it opens the day after tomorrow only.
        DayOfWeek later = LocalDate.now(ZoneOffset.UTC).getDayOfWeek().plus(2);
        String window = later.getDisplayName(TextStyle.SHORT, Locale.ROOT) + " 00:00 1h UTC";

        // As an operator does: the file in etc/, which Karaf reads again when it changes.
        Path cfg = Path.of(System.getProperty("karaf.etc"), "org.fleetup.windows.cfg");
        String shipped = Files.readString(cfg);
        Files.writeString(cfg, shipped + "\ncluster.simulated = " + window + "\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> ok("fleet:window-list").lines()
                .anyMatch(line -> line.contains("simulated") && line.contains(window) && line.contains("closed")));

        String started = ok("fleet:rollout-start --release demo-app/2.0.0 --yes win-01");
        String id = started.replaceAll("(?s).*Rollout ([\\w-]+) of.*", "$1");
        await().atMost(Duration.ofSeconds(30)).until(() -> ok("fleet:rollout-status " + id)
                .contains("waits for the maintenance window of cluster simulated (" + window + ")"));
        assertEquals(RolloutStatus.RUNNING, service(Rollouts.class).require(id).status());
        assertEquals("untouched", "releases/1.4.2", currentTarget(host.root()));
        assertFalse(Files.exists(host.root().resolve("demo-app/releases/2.0.0")));

        Files.writeString(cfg, shipped + "\ncluster.simulated = always\n");
        Rollout ended = service(Rollouts.class).completion(id).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(RolloutStatus.FINISHED, ended.status());
        assertEquals("releases/2.0.0", currentTarget(host.root()));
        assertTrue(ok("fleet:window-list").lines().anyMatch(line -> line.contains("simulated")
                && line.contains("always") && line.contains("open")));
        Files.writeString(cfg, shipped);
    }
}
