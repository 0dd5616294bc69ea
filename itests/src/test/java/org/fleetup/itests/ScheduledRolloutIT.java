package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

/**
 * A rollout set for later waits for its time, changes nothing before it, and survives a restart of the routes bundle
 * (a restart of the whole controller process is proven by the process-level tests).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ScheduledRolloutIT extends FleetupTestSupport {

    @Test
    public void scheduledRolloutWaitsForItsTimeAndSurvivesARestartOfTheRoutesBundle() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix later --version 1.4.2 2");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("later-")).toList();
        String names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

        Instant at = Instant.now().plusSeconds(8);
        String started = ok("fleet:rollout-start --release demo-app/2.0.0 --yes --at " + at + " " + names);
        String id = started.replaceAll("(?s).*Rollout ([\\w-]+) of.*", "$1");
        // The engine runs with the settings of etc/org.fleetup.routes.cfg: its configuration's PID, and the tick there.
        Rollouts rollouts = service(Rollouts.class, "(&(service.pid=org.fleetup.routes)(tickMillis=500))");
        assertEquals(RolloutStatus.SCHEDULED, rollouts.require(id).status());
        assertTrue(ok("fleet:rollout-status").contains("SCHEDULED"));

        // The routes bundle restarts, as after a controller restart: the pending rollout is taken up again.
        Bundle routes = java.util.Arrays.stream(bundleContext.getBundles())
                .filter(b -> b.getSymbolicName().equals("fleetup-routes")).findFirst().orElseThrow();
        routes.stop();
        routes.start();
        Rollouts restarted = service(Rollouts.class);
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " untouched before the time", "releases/1.4.2", currentTarget(host.root()));
        }

        Rollout ended = restarted.completion(id).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(RolloutStatus.FINISHED, ended.status());
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " upgraded", "releases/2.0.0", currentTarget(host.root()));
            // The ground truth of when the work began on the server: the release directory is made after the
            // transfer, so it can be no older than the start time.
            Instant made = Files.getLastModifiedTime(host.root().resolve("demo-app/releases/2.0.0")).toInstant();
            assertFalse(host.name() + " was worked on at " + made + ", before " + at, made.isBefore(at));
        }
    }

    @Test
    public void aScheduledRolloutIsListedWithItsStartAndOneCancelledBeforeItStaysCancelledAcrossARestart()
            throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix cancel --version 1.4.2 2");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("cancel-")).toList();
        String names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

        Instant at = Instant.now().plusSeconds(6).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String started = ok("fleet:rollout-start --release demo-app/2.0.0 --yes --at " + at + " " + names);
        String id = started.replaceAll("(?s).*Rollout ([\\w-]+) of.*", "$1");
        java.time.ZoneId zone = service(org.fleetup.api.rollout.Scheduler.class).zone();
        String startShown = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(zone)
                .format(at);
        String listed = ok("fleet:rollout-list").lines().filter(line -> line.contains(id)).findFirst()
                .orElseThrow(() -> new AssertionError("fleet:rollout-list shows no " + id));
        assertTrue(listed, listed.contains("SCHEDULED") && listed.contains(startShown));

        ok("fleet:rollout-cancel " + id);
        // The routes bundle restarts, as after a controller restart, before the time the rollout was set for.
        Bundle routes = java.util.Arrays.stream(bundleContext.getBundles())
                .filter(b -> b.getSymbolicName().equals("fleetup-routes")).findFirst().orElseThrow();
        routes.stop();
        routes.start();
        Rollouts restarted = service(Rollouts.class);
        assertTrue("restarted before the time it was set for", Instant.now().isBefore(at));

        // Past its time, and many ticks more: still cancelled, and nothing was done on its servers.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Instant.now().isAfter(at.plusSeconds(3)));
        assertEquals(RolloutStatus.CANCELLED, restarted.require(id).status());
        String after = ok("fleet:rollout-list").lines().filter(line -> line.contains(id)).findFirst().orElseThrow();
        assertTrue(after, after.contains("CANCELLED") && after.contains(startShown));
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " untouched", "releases/1.4.2", currentTarget(host.root()));
            assertFalse(host.name(), Files.exists(host.root().resolve("demo-app/releases/2.0.0")));
        }
    }

    @Test
    public void waitingForARolloutIsBoundedByItsTimeout() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix bound --version 1.4.2 1");
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

        Instant at = Instant.now().plus(java.time.Duration.ofHours(1));
        Result waited = run("fleet:rollout-start --release demo-app/2.0.0 --yes --wait --timeout 2s --at " + at
                + " bound-01");

        assertTrue(waited.all(), waited.failed() && waited.error().getMessage().contains("has not ended by"));
        String id = waited.output().replaceAll("(?s).*Rollout ([\\w-]+) of.*", "$1");
        assertEquals("the rollout goes on", RolloutStatus.SCHEDULED, service(Rollouts.class).require(id).status());
    }

    @Test
    public void timeThatIsNotATimeIsRefused() {
        Result result = run("fleet:rollout-start --release demo-app/2.0.0 --yes --at tomorrow-ish");
        assertTrue(result.all(), result.failed() && result.error().getMessage().contains("tomorrow-ish"));
    }
}
