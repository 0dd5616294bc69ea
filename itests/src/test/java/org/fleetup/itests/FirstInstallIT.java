package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A server with nothing installed is planned INSTALL and gets the release as its first, through the shell; one whose
 * {@code current} cannot be read stays UNKNOWN and untouched, never taken for an empty one. Judged from the servers'
 * own directories.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FirstInstallIT extends FleetupTestSupport {

    @Test
    public void aServerWithNothingInstalledIsPlannedInstallAndGetsItsFirstRelease() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix first --version 1.4.2 --extra none 2");
        Map<String, SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("first-"))
                .collect(Collectors.toMap(SimulatedHost::name, Function.identity()));
        Path old = hosts.get("first-01").root();
        Path broken = hosts.get("first-02").root();
        Path empty = hosts.get("first-03").root();
        assertTrue("first-03 starts with nothing", isEmpty(empty));
        Files.delete(broken.resolve("demo-app/current/VERSION"));
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

        String plan = ok("fleet:plan --release demo-app/2.0.0 first-01 first-02 first-03");
        assertTrue(plan, row(plan, "first-01").contains("UPGRADE"));
        assertTrue(plan, row(plan, "first-02").contains("UNKNOWN"));
        assertTrue(plan, row(plan, "first-03").contains("INSTALL"));
        assertTrue(plan, plan.contains("1 UPGRADE, 1 INSTALL, 1 UNKNOWN"));
        assertTrue("nothing changed by the plan", isEmpty(empty));

        Path report = work.resolve("report.csv");
        // One wave of all three: the failing server must not pause the rollout before the empty one is installed.
        Result rollout = run("fleet:rollout-start --release demo-app/2.0.0 --canary 0 --wave 100pct --max-errors"
                + " 100pct --yes --wait --report " + report + " first-01 first-02 first-03");
        assertTrue("the unreadable server fails the rollout:\n" + rollout.all(), rollout.failed());

        assertEquals("releases/2.0.0", currentTarget(empty));
        assertEquals("2.0.0", runningVersion(empty));
        assertEquals(List.of(), manifestMismatches(empty.resolve("demo-app/releases/2.0.0")));
        assertEquals(List.of(), leftovers(empty));
        try (Stream<Path> releases = Files.list(empty.resolve("demo-app/releases"))) {
            assertEquals(List.of("2.0.0"), releases.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("releases/2.0.0", currentTarget(old));
        assertEquals("releases/1.4.2", currentTarget(broken));
        assertFalse(Files.exists(broken.resolve("demo-app/releases/2.0.0")));
        assertFalse(Files.exists(broken.resolve("demo-app/staging")));

        Map<String, String[]> rows = Files.readAllLines(report).stream().skip(1).map(line -> line.split(",", 3))
                .collect(Collectors.toMap(cells -> cells[0], cells -> cells));
        assertEquals("upgraded", rows.get("first-03")[1]);
        assertEquals("installed 2.0.0 (verified); no release ran before", rows.get("first-03")[2]);
        assertEquals("upgraded", rows.get("first-01")[1]);
        assertEquals("failed", rows.get("first-02")[1]);
    }

    private static String row(String table, String server) {
        return table.lines().filter(line -> line.startsWith(server)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + server + " in:\n" + table));
    }

    private static boolean isEmpty(Path directory) throws java.io.IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }
}
