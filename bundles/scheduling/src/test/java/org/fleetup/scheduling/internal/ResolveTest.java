package org.fleetup.scheduling.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The present is 2026-11-24 10:00 in Paris (09:00 UTC). */
class ResolveTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    private static final Instant NOW = Instant.parse("2026-11-24T09:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);

    private final ExecutorScheduler scheduler = new ExecutorScheduler(Clock.fixed(NOW, PARIS), "now", 1);

    @AfterEach
    void stop() {
        scheduler.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"now", "NOW", " Now "})
    void nowIsThePresent(String when) {
        assertThat(scheduler.resolve(when)).isEqualTo(NOW);
    }

    @Test
    void aTimeOfDayStillToComeIsToday() {
        assertThat(scheduler.resolve("23:30")).isEqualTo(Instant.parse("2026-11-24T22:30:00Z"));
    }

    @Test
    void aTimeOfDayPassedIsTomorrow() {
        assertThat(scheduler.resolve("03:00")).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
    }

    @Test
    void theTimeOfDayItIsNowIsTomorrow() {
        assertThat(scheduler.resolve("10:00")).isEqualTo(Instant.parse("2026-11-25T09:00:00Z"));
    }

    @Test
    void aTimeOfDayMayHaveSeconds() {
        assertThat(scheduler.resolve("10:00:30")).isEqualTo(Instant.parse("2026-11-24T09:00:30Z"));
    }

    @Test
    void aLocalDateTimeIsReadInTheConfiguredZone() {
        assertThat(scheduler.resolve("2026-12-01T03:00")).isEqualTo(Instant.parse("2026-12-01T02:00:00Z"));
    }

    @Test
    void anInstantIsTakenAsItIs() {
        assertThat(scheduler.resolve("2026-12-01T03:00:00Z")).isEqualTo(Instant.parse("2026-12-01T03:00:00Z"));
    }

    @Test
    void anOffsetDateTimeIsTakenWithItsOffset() {
        assertThat(scheduler.resolve("2026-12-01T03:00:00+05:00")).isEqualTo(Instant.parse("2026-11-30T22:00:00Z"));
    }

    @Test
    void noTimeIsTheDefaultTime() {
        ExecutorScheduler nightly = new ExecutorScheduler(Clock.fixed(NOW, PARIS), "03:00", 1);
        try {
            assertThat(nightly.resolve(null)).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
            assertThat(nightly.resolve("  ")).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
        } finally {
            nightly.stop();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tomorrow", "25:00", "3:00", "2026-12-01", "2026-13-01T03:00", "in 5 minutes"})
    void anythingElseIsRefusedWithTheFormsThatAreRead(String when) {
        assertThatThrownBy(() -> scheduler.resolve(when))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("'" + when + "'")
                .hasMessageContaining("now")
                .hasMessageContaining("03:00")
                .hasMessageContaining("2026-12-01T03:00:00Z")
                .hasMessageContaining("Europe/Paris");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24T09:59", "2025-12-01T03:00", "2020-01-01T00:00:00Z"})
    void aTimeThatHasPassedIsRefusedNotTakenAsNow(String when) {
        assertThatThrownBy(() -> scheduler.resolve(when))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("'" + when + "' has passed")
                .hasMessageContaining("2026-11-24 10:00:00 Europe/Paris")
                .hasMessageContaining("now to start at once");
    }

    @Test
    void aPassedDateGetsAGuessAtTheYearMeant() {
        assertThatThrownBy(() -> scheduler.resolve("2025-12-01T03:00"))
                .hasMessageContaining("Did you mean 2026-12-01T03:00?");
    }

    @Test
    void aTimeBeyondTheHorizonIsRefusedWithAGuessAtTheYearMeant() {
        assertThatThrownBy(() -> scheduler.resolve("2400-01-01T00:00"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("'2400-01-01T00:00' is 136,272 days ahead")
                .hasMessageContaining("at most 366 days ahead (maxDaysAhead of org.fleetup.scheduling)")
                .hasMessageContaining("Did you mean 2027-01-01T00:00?");
    }

    @ParameterizedTest
    @ValueSource(strings = {"9999-12-31T23:59:59Z", "+999999999-12-31T23:59:59Z", "2400-01-01T00:00:00+05:00"})
    void instantsFarAheadAreRefusedWithoutOverflow(String when) {
        assertThatThrownBy(() -> scheduler.resolve(when))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("maxDaysAhead");
    }

    @Test
    void aTimeAtTheHorizonIsTaken() {
        assertThat(scheduler.resolve("2027-11-25T09:59")).isEqualTo(Instant.parse("2027-11-25T08:59:00Z"));
    }

    @Test
    void theHorizonIsConfigurable() {
        ExecutorScheduler shortSighted = new ExecutorScheduler(Clock.fixed(NOW, PARIS), "now", 1, 7, HOUR);
        try {
            assertThat(shortSighted.resolve("2026-11-30T03:00")).isEqualTo(Instant.parse("2026-11-30T02:00:00Z"));
            assertThatThrownBy(() -> shortSighted.resolve("2026-12-02T03:00"))
                    .hasMessageContaining("at most 7 days ahead");
        } finally {
            shortSighted.stop();
        }
    }

    @Test
    void anInstantGivenByAProgramIsCheckedAsAnOperatorsTimeIs() {
        assertThat(scheduler.requireSchedulable(NOW.plusSeconds(3600))).isEqualTo(NOW.plusSeconds(3600));
        assertThatThrownBy(() -> scheduler.requireSchedulable(NOW.minusSeconds(60)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("has passed");
        assertThatThrownBy(() -> scheduler.requireSchedulable(Instant.MAX))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("maxDaysAhead");
    }

    @Test
    void aDefaultTimeThatHasPassedIsRefusedNamingTheSetting() {
        ExecutorScheduler stale = new ExecutorScheduler(Clock.fixed(NOW, PARIS), "2026-01-01T03:00", 1);
        try {
            assertThatThrownBy(() -> stale.resolve(null))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                    .hasMessageContaining("'2026-01-01T03:00' (defaultTime of org.fleetup.scheduling) has passed");
        } finally {
            stale.stop();
        }
    }

    @Test
    void theZoneIsTheConfiguredOne() {
        assertThat(scheduler.zone()).isEqualTo(PARIS);
    }

    @Test
    void anInvalidDefaultTimeIsRefusedAtStart() {
        assertThatThrownBy(() -> new ExecutorScheduler(Clock.fixed(NOW, PARIS), "soon", 1))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID));
    }

    @Test
    void anUnknownZoneIsRefusedAtStart() {
        assertThatThrownBy(() -> new ExecutorScheduler(config("now", "Mars/Olympus")))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TIME_INVALID))
                .hasMessageContaining("Mars/Olympus");
    }

    private static ExecutorScheduler.Config config(String defaultTime, String zone) {
        return new ExecutorScheduler.Config() {
            @Override
            public String defaultTime() {
                return defaultTime;
            }

            @Override
            public String zone() {
                return zone;
            }

            @Override
            public int threads() {
                return 1;
            }

            @Override
            public int maxDaysAhead() {
                return 366;
            }

            @Override
            public Class<? extends java.lang.annotation.Annotation> annotationType() {
                return ExecutorScheduler.Config.class;
            }
        };
    }
}
