package org.fleetup.transport.ssh;

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
