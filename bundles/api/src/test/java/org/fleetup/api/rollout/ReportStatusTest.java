package org.fleetup.api.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;

/** The report's status of a server: one mapping, stable labels for scripts. */
class ServerOutcomeTest {

    private static RolloutServer server(StepState state, ReportStatus recorded) {
        return new RolloutServer("r", "web-01", state, "1.0.0", null, "why", Instant.now(), 1, recorded);
    }

    @Test
    void aRolledBackServerIsReportedRolledBackNotFailed() {
        assertThat(ReportStatus.of(server(StepState.ROLLED_BACK, null)).label()).isEqualTo("rolled-back");
        assertThat(ReportStatus.of(server(StepState.FAILED, null)).label()).isEqualTo("failed");
        assertThat(ReportStatus.of(server(StepState.DONE, null)).label()).isEqualTo("upgraded");
        assertThat(ReportStatus.of(server(StepState.SKIPPED, null)).label()).isEqualTo("skipped");
        assertThat(ReportStatus.of(server(StepState.TRANSFERRING, null)).label()).isEqualTo("pending");
    }

    @Test
    void theRecordedEndingTellsNotStartedAndNotInstallableApartFromSkipped() {
        assertThat(ReportStatus.of(server(StepState.SKIPPED, ReportStatus.NOT_STARTED)).label())
                .isEqualTo("not-started");
        assertThat(ReportStatus.of(server(StepState.SKIPPED, ReportStatus.NOT_INSTALLABLE)).label())
                .isEqualTo("not-installable");
    }

    @Test
    void aServerSkippedBeforeItsVersionWasReadWasNotStarted() {
        RolloutServer cancelled = new RolloutServer("r", "web-02", StepState.SKIPPED, null, null,
                "not started: rollout cancelled", Instant.now(), 2);

        assertThat(ReportStatus.of(cancelled)).isEqualTo(ReportStatus.NOT_STARTED);
    }

    @Test
    void aServerFailedAsNotInstallableIsReportedNotInstallable() {
        RolloutServer busy = new RolloutServer("r", "web-03", StepState.FAILED, "1.0.0", "1.0.0",
                ReportStatus.NOT_INSTALLABLE_DETAIL + "the server is busy: the marker .busy exists", Instant.now(), 1);
        RolloutServer failed = new RolloutServer("r", "web-04", StepState.FAILED, "1.0.0", "1.0.0",
                "transfer failed: not installable: quoted from elsewhere", Instant.now(), 1);

        assertThat(ReportStatus.of(busy).label()).isEqualTo("not-installable");
        assertThat(ReportStatus.of(failed)).isEqualTo(ReportStatus.FAILED);
    }

    @Test
    void failuresAreWhatAScriptMustNotTakeForSuccess() {
        assertThat(ReportStatus.values()).filteredOn(ReportStatus::isFailure)
                .containsExactlyInAnyOrder(ReportStatus.FAILED, ReportStatus.ROLLED_BACK,
                        ReportStatus.NOT_INSTALLABLE);
    }

    @Test
    void wavesAreTheCanaryThenSharesOfAllTheServersTheLastWhatRemains() {
        RolloutOptions options = RolloutOptions.defaults(10, false);
        assertThat(options.waveSizes(10)).containsExactly(1, 3, 3, 3);
        assertThat(options.waveSizes(1)).containsExactly(1);
        assertThat(options.waveSizes(0)).isEmpty();
        RolloutOptions noCanary = new RolloutOptions(Size.count(0), Size.count(4), Size.count(1), OnError.ABORT,
                ServerOrder.NAME, 2, false);
        assertThat(noCanary.waveSizes(10)).containsExactly(4, 4, 2);
    }
}
