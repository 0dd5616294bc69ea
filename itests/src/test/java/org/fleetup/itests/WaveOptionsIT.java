package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;

import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Percentages typed in the console as an operator types them reach {@code fleet:rollout-start}: single-quoted,
 * escaped or spelled {@code pct}; a bare or double-quoted {@code 25%} is refused by the console's parser itself (gogo's
 * Expander reads {@code %} as the start of an arithmetic expression {@code %(...)}), before the command runs, and
 * nothing is saved.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class WaveOptionsIT extends FleetupTestSupport {

    private String names;

    private List<SimulatedHost> start(String prefix) throws Exception {
        ok("fleet:sim-start --prefix " + prefix + " --version 1.4.2 4");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith(prefix + "-"))
                .toList();
        names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));
        return hosts;
    }

    private static String idOf(String started) {
        return started.replaceAll("(?s).*Rollout (\\w[\\w-]*) of.*", "$1");
    }

    @Test
    public void percentagesAreAcceptedQuotedEscapedOrSpelledPct() throws Exception {
        List<SimulatedHost> hosts = start("pct");
        Path artifact = Files.createTempDirectory("fleetup-it").resolve("demo-app-3.1.0.tar.gz");
        ok("fleet:sim-release --version 3.1.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 3.1.0 " + artifact);
        String at = Instant.now().plus(10, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS).toString();

        for (String options : List.of("--canary 1 --wave '50%' --max-errors '25%'",
                "--canary 1 --wave 50\\% --max-errors 25pct")) {
            String started = ok("fleet:rollout-start --release demo-app/3.1.0 " + options
                    + " --on-error abort --order name --yes --at " + at + " " + names);

            assertTrue(started, started.contains("Waves: 3 (canary 1, then 50% each)"));
            assertTrue(started, started.contains("when 25% of a wave fail, the rollout aborts."));
            assertTrue(started, started.contains("Order: by name"));
            assertTrue(started, started.contains("  wave 2: 2 servers: " + hosts.get(1).name() + ", "
                    + hosts.get(2).name()));
            assertTrue(started, started.contains("To send: "));
            String id = idOf(started);
            assertTrue(ok("fleet:rollout-status " + id).contains(": SCHEDULED"));
            ok("fleet:rollout-cancel " + id);
        }
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " untouched", "releases/1.4.2", currentTarget(host.root()));
        }
    }

    @Test
    public void aBarePercentageIsRefusedByTheConsoleAndNothingIsSaved() throws Exception {
        start("bare");
        String before = ok("fleet:rollout-list");

        Result bare = run("fleet:rollout-start --release demo-app/2.0.0 --wave 25% --yes --at 23:59 " + names);

        assertTrue(bare.all(), bare.failed() && bare.error().getMessage().contains("bad expression: 25%"));
        // Double quotes expand % as they expand $: only single quotes, a backslash or pct keep it.
        Result doubleQuoted = run("fleet:rollout-start --release demo-app/2.0.0 --wave \"25%\" --yes --at 23:59 "
                + names);
        assertTrue(doubleQuoted.all(), doubleQuoted.failed()
                && doubleQuoted.error().getMessage().contains("bad expression"));
        Result wrong = run("fleet:rollout-start --release demo-app/2.0.0 --wave '25 %%' --yes " + names);
        assertTrue(wrong.all(), wrong.failed() && wrong.error().getMessage().contains("--wave '25 %%' is neither"));
        assertEquals("no rollout saved", before, ok("fleet:rollout-list"));
    }
}
