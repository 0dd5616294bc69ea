package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV a script reads after {@code --wait --report}, and what a paused rollout tells it. */
class RolloutReportTest {

    private static RolloutServer server(String name, StepState state, int wave, ReportStatus recorded,
                                        String detail) {
        return new RolloutServer("r1", name, state, "1.0.0", null, detail, Instant.now(), wave, recorded);
    }

    private final List<RolloutServer> servers = List.of(
            server("a", StepState.DONE, 1, null, "1.0.0 -> 2.0.0"),
            server("b", StepState.SKIPPED, 2, null, "runs 2.0.0 already"),
            server("c", StepState.FAILED, 2, null, "unreachable: connection refused"),
            server("d", StepState.ROLLED_BACK, 2, null, "health check failed: exit 1"),
            server("e", StepState.SKIPPED, 2, ReportStatus.NOT_INSTALLABLE, "busy: /srv/.lock for 10m"),
            server("f", StepState.SKIPPED, 3, ReportStatus.NOT_STARTED, "rollout paused on wave 2"));

    @Test
    void everyServerHasOneOfTheSixStatusesAndItsReason(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("report.csv");

        RolloutReport.write(servers, csv);

        assertThat(Files.readAllLines(csv, StandardCharsets.UTF_8)).containsExactly(
                "name,status,detail",
                "a,upgraded,1.0.0 -> 2.0.0",
                "b,skipped,runs 2.0.0 already",
                "c,failed,unreachable: connection refused",
                "d,rolled-back,health check failed: exit 1",
                "e,not-installable,busy: /srv/.lock for 10m",
                "f,not-started,rollout paused on wave 2");
    }

    @Test
    void theProblemsShownAreTheFailedRolledBackAndNotInstallable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        RolloutReport.print(servers, true, new PrintStream(bytes, true, StandardCharsets.UTF_8));

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().skip(2).map(l -> l.split("\\|")[0].strip()))
                .containsExactly("c", "d", "e");
    }

    @Test
    void aRolloutPausedOnItsThresholdSaysWhereAndWhatToDoNext() {
        Rollout paused = new Rollout("r1", "demo-app", "2.0.0", List.of("a", "b", "c", "d", "e", "f"), 2, false,
                RolloutStatus.PAUSED, Instant.now(), Instant.now(), null, "3 of 5 failed");
        List<Wave> waves = List.of(new Wave("r1", 1, 1, 0, WaveStatus.DONE, Instant.now(), Instant.now()),
                new Wave("r1", 2, 4, 1, WaveStatus.HALTED, Instant.now(), Instant.now()),
                new Wave("r1", 3, 1, 0, WaveStatus.PENDING, null, null));

        assertThat(Pauses.explain(paused, waves, servers)).isEqualTo("Rollout r1 paused on wave 2: 3 of 4 failed,"
                + " max 1; fleet:rollout-resume r1 or fleet:rollout-cancel r1");
        assertThat(Pauses.explain(paused, List.of(), servers))
                .isEqualTo("Rollout r1 paused: 3 of 5 failed; fleet:rollout-resume r1 or fleet:rollout-cancel r1");
    }

    @Test
    void theWaveUnderWayIsTheFirstWithAServerNotEnded() {
        assertThat(WaveProgress.of(servers)).isEqualTo("3/3");
        assertThat(WaveProgress.of(List.of(server("a", StepState.DONE, 1, null, ""),
                server("b", StepState.TRANSFERRING, 2, null, ""), server("c", StepState.PENDING, 3, null, ""))))
                .isEqualTo("2/3");
        assertThat(WaveProgress.of(List.of(server("a", StepState.DONE, 0, null, "")))).isEqualTo("-");
    }
}
