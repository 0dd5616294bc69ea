package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Upgrades a mixed simulated fleet through the shell commands, then checks the ground truth in every server's own
 * directory: healthy old servers run 2.0.0 intact (the one whose connection drops mid-transfer too: its transfer is
 * resumed), current and newer ones were not touched, faulty ones still run their old release intact, and the report
 * names every failed server with a reason.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FleetUpgradeIT extends FleetupTestSupport {

    @Test
    public void upgradesHealthyServersAndLeavesEveryOtherOnItsRelease() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix mix --extra 1.3.0:refuse-connections 12");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("mix-")).toList();
        assertEquals(13, hosts.size());
        Map<String, String> before = new HashMap<>();
        for (SimulatedHost host : hosts) {
            before.put(host.name(), currentTarget(host.root()));
        }
        String names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));

        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        String plan = ok("fleet:plan --release demo-app/2.0.0 " + names);
        for (String decision : List.of("UPGRADE", "CURRENT", "NEWER", "UNREACHABLE")) {
            assertTrue("the plan shows " + decision + ":\n" + plan, plan.contains(decision));
        }

        Path report = work.resolve("report.csv");
        // One wave of every server, halted only if all failed: this test is about each server's outcome, not waves
        // (the defaults would pause this mixed fleet at its first failing wave; WaveOptionsIT and the engine's tests
        // cover that).
        Result rollout = run("fleet:rollout-start --release demo-app/2.0.0 --parallel 5 --canary 0 --wave 100pct"
                + " --max-errors 100pct --yes --wait --report " + report + " " + names);
        assertTrue("a rollout with failed servers ends in an error:\n" + rollout.all(), rollout.failed());

        Set<String> expectedFailures = new TreeSet<>();
        Set<String> expectedUpgrades = new TreeSet<>();
        Set<String> expectedSkips = new TreeSet<>();
        for (SimulatedHost host : hosts) {
            Path root = host.root();
            String name = host.name();
            if (!host.faults().isEmpty() && !host.faults().equals(Set.of(Fault.DROP_CONNECTION))) {
                expectedFailures.add(name);
                assertEquals(name + " still points to its release", before.get(name), currentTarget(root));
                assertEquals(name + " still runs its version", host.version(), runningVersion(root));
                assertEquals(name + " old release intact", List.of(),
                        manifestMismatches(root.resolve("demo-app/releases/" + host.version())));
                assertFalse(name + " has no 2.0.0", Files.exists(root.resolve("demo-app/releases/2.0.0")));
            } else if (host.version().startsWith("1.")) {
                expectedUpgrades.add(name);
                assertEquals(name + " switched", "releases/2.0.0", currentTarget(root));
                assertEquals(name + " runs 2.0.0", "2.0.0", runningVersion(root));
                assertEquals(name + " 2.0.0 matches its manifest", List.of(),
                        manifestMismatches(root.resolve("demo-app/releases/2.0.0")));
                assertTrue(name + " kept its previous release for a way back",
                        Files.isDirectory(root.resolve("demo-app/releases/" + host.version())));
            } else {
                expectedSkips.add(name);
                assertEquals(name + " not touched", before.get(name), currentTarget(root));
                assertEquals(name + " still runs " + host.version(), host.version(), runningVersion(root));
            }
            assertEquals(name + " has nothing left over", List.of(), leftovers(root));
        }
        assertEquals(2, expectedFailures.size());

        Map<String, String[]> rows = new TreeMap<>();
        List<String> lines = Files.readAllLines(report);
        assertEquals("name,status,detail", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", 3);
            rows.put(cells[0], cells);
        }
        assertEquals(hosts.size(), rows.size());
        assertEquals(expectedFailures, names(rows, "failed"));
        assertEquals(expectedUpgrades, names(rows, "upgraded"));
        assertEquals(expectedSkips, names(rows, "skipped"));
        for (String failed : expectedFailures) {
            assertTrue(failed + " has a reason", rows.get(failed)[2].strip().length() > 10);
            assertTrue("the error names " + failed, rollout.error().getMessage().contains(failed));
        }
    }

    private static Set<String> names(Map<String, String[]> rows, String status) {
        return rows.values().stream().filter(cells -> cells[1].equals(status)).map(cells -> cells[0])
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
