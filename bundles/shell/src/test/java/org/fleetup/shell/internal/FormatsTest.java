package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void durationsAreReadAsOperatorsWriteThem() {
        assertThat(Formats.parseDuration("--timeout", "90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Formats.parseDuration("--timeout", "30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Formats.parseDuration("--timeout", " 6h ")).isEqualTo(Duration.ofHours(6));
        assertThat(Formats.parseDuration("--timeout", "2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Formats.parseDuration("--timeout", "PT1H30M")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void aDurationThatIsNotOneOrNotPositiveIsRefusedNamingTheOption() {
        for (String bad : new String[] {"", "6", "6 hours", "-5m", "0s", "PT0S", "h"}) {
            assertThatThrownBy(() -> Formats.parseDuration("--timeout", bad))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                    .hasMessageContaining("--timeout '" + bad + "'");
        }
    }
}
