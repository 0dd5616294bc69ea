package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.junit.jupiter.api.Test;

/** How a plan reads on the console, and what the rollout asks before it starts. */
class PlanTableTest {

    private final Plan plan = new Plan(new Release("demo-app", "2.0.0", Release.DEFAULT_KIND, "0".repeat(64), 1024,
            "demo-app.tar.gz", Instant.now()), List.of(
            new PlanEntry("web-01", "1.4.2", Decision.UPGRADE, "1.4.2 -> 2.0.0"),
            new PlanEntry("web-02", null, Decision.INSTALL, "nothing installed (no $HOME/demo-app/current) -> 2.0.0"),
            new PlanEntry("web-03", "2.0.0", Decision.CURRENT, "runs 2.0.0 already")), Instant.now());

    @Test
    void aServerWithNothingInstalledShowsAsInstallInTheTableAndTheCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        PlanTable.print(plan, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed.lines().filter(line -> line.startsWith("web-02")).findFirst()).hasValueSatisfying(
                line -> assertThat(line.split("\\|")).extracting(String::strip)
                        .containsExactly("web-02", "nothing", "INSTALL",
                                "nothing installed (no $HOME/demo-app/current) -> 2.0.0"));
        assertThat(printed).contains("Plan for demo-app/2.0.0: 1 UPGRADE, 1 INSTALL, 1 CURRENT");
    }

    @Test
    void theConfirmationCountsFirstInstallsBesideUpgrades() {
        assertThat(RolloutStartCommand.changes(plan)).isEqualTo("Upgrade 1 and install 1");
        assertThat(RolloutStartCommand.changes(new Plan(plan.release(), plan.entries(Decision.UPGRADE),
                Instant.now()))).isEqualTo("Upgrade 1");
    }

    @Test
    void theWavesTheOrderAndTheBytesToSendAreShownBeforeTheQuestion() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RolloutOptions options = new RolloutOptions(Size.count(1), Size.percent(50), Size.count(1), OnError.PAUSE,
                ServerOrder.NAME, 10, false);

        WavePlan.print(plan, options, new Estimate(Duration.ofSeconds(125), 2, 2, 1, 12.0 * 1024 * 1024,
                Duration.ofSeconds(8), 20), new PrintStream(bytes, true, StandardCharsets.UTF_8));

        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Waves: 2 (canary 1, then 50% each)", "when 1 of a wave fail, the rollout pauses.",
                "Order: by name", "  wave 1 (canary): 1 server: web-01", "  wave 2: 1 server: web-02",
                "To send: 2.0 KiB");
        assertThat(printed).contains("Estimated duration: about 2 min 5 s (2 waves, 10 at a time; measured transfer"
                + " rates: 1 of 2 servers, the others counted at 12.0 MiB/s, the median of those; 8 s per server"
                + " besides its transfer, learned from 20 servers earlier rollouts upgraded).")
                .doesNotContain("unknown");
    }

    @Test
    void anEstimateWithNothingMeasuredSaysItCountsTheConfiguredDefaults() {
        RolloutOptions options = RolloutOptions.defaults(4, false);

        String estimate = WavePlan.estimate(new Estimate(Duration.ofMinutes(200).plusSeconds(10), 300, 5, 0,
                10.0 * 1024 * 1024, Duration.ofSeconds(10), 0), options);

        assertThat(estimate).isEqualTo("about 3 h 20 min (5 waves, 4 at a time; measured transfer rates: 0 of 300"
                + " servers, all counted at 10.0 MiB/s, the configured default (estimateBytesPerSecond); 10 s per"
                + " server besides its transfer, the configured default (estimateSecondsPerServer)).");
    }
}
