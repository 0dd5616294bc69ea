package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SshSettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        assertThat(SshSettings.defaults()).isEqualTo(new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(10),
                Duration.ofMinutes(5), 64 * 1024));
    }

    @Test
    void idleConnectionsAreKeptFifteenMinutesAThousandAtMostByDefault() {
        assertThat(SshSettings.defaults().sessionIdle()).isEqualTo(Duration.ofMinutes(15));
        assertThat(SshSettings.defaults().maxIdleSessions()).isEqualTo(1024);
    }

    @Test
    void transfersMustKeepSixtyFourKibibytesPerSecondByDefault() {
        assertThat(SshSettings.defaults().transferMinimumBytesPerSecond()).isEqualTo(64 * 1024);
        assertThat(SshSettings.defaults().withTransferMinimumRate(10).transferMinimumBytesPerSecond()).isEqualTo(10);
    }

    @Test
    void anOpenSshServerHoldsAQuarterMebibyteOfACommandsInputByDefault() {
        assertThat(SshSettings.defaults().transferBacklogBytes()).isEqualTo(256 * 1024);
        assertThat(SshSettings.defaults().withTransferBacklog(0).transferBacklogBytes()).isZero();
        assertThat(SshSettings.defaults().withTransferBacklog(1 << 20).withSessionReuse(Duration.ZERO, 1)
                .withTransferMinimumRate(10).transferBacklogBytes()).isEqualTo(1 << 20);
    }

    @Test
    void negativeTransferBacklogIsRejected() {
        assertThatThrownBy(() -> SshSettings.defaults().withTransferBacklog(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transferBacklogBytes");
    }

    @Test
    void noMinimumTransferRateIsRejected() {
        assertThatThrownBy(() -> SshSettings.defaults().withTransferMinimumRate(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transferMinimumBytesPerSecond");
    }

    @Test
    void negativeSessionIdleIsRejected() {
        assertThatThrownBy(() -> SshSettings.defaults().withSessionReuse(Duration.ofSeconds(-1), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sessionIdle");
    }

    @Test
    void noRoomForIdleConnectionsIsRejected() {
        assertThatThrownBy(() -> SshSettings.defaults().withSessionReuse(Duration.ofSeconds(30), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxIdleSessions");
    }

    @Test
    void transferBufferLargerThanOpenSshAcceptsIsRejected() {
        assertThatThrownBy(() -> new SshSettings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                256 * 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("transferBufferBytes");
    }

    @Test
    void zeroTimeoutIsRejected() {
        assertThatThrownBy(() -> new SshSettings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), 4096))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
    }
}
