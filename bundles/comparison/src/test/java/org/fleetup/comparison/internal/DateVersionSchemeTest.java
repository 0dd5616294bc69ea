package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.comparison.internal.SchemeAssertions.assertAscending;
import static org.fleetup.comparison.internal.SchemeAssertions.assertMalformed;
import static org.fleetup.comparison.internal.SchemeAssertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DateVersionSchemeTest {

    private final DateVersionScheme scheme = new DateVersionScheme();

    @Test
    void ordersDatesInTime() {
        assertAscending(scheme, "1999-12-31", "2025.02.28", "20251231", "2026-01-01", "2026.01.02", "20260110",
                "2026-11-24", "2027-01-01");
    }

    @ParameterizedTest
    @CsvSource({"2026-11-24,2026.11.24", "2026-11-24,20261124", "2026-11-24,2026-11-24T00:00",
        "2026-11-24T03:00,2026-11-24T03:00:00Z", "2026-11-24T03:00:00,20261124T030000",
        "2026-11-24T04:00+01:00,2026-11-24T03:00Z", "2026-11-24T03:00:00.5,'2026-11-24T03:00:00,500'",
        "2026-11-24T03:00-0130,2026-11-24T04:30Z"})
    void treatsTheSameInstantAsSame(String a, String b) {
        assertSame(scheme, a, b);
    }

    @Test
    void ordersTimesWithinADay() {
        assertAscending(scheme, "2026-11-24", "2026-11-24T00:00:00.000000001", "2026-11-24T02:59:59.9",
                "2026-11-24T03:00", "2026-11-24T03:00:01", "2026-11-24T23:59", "2026-11-25");
    }

    @Test
    void ordersOffsetsAsInstants() {
        assertAscending(scheme, "2026-11-24T10:00+02:00", "2026-11-24T09:00Z", "2026-11-24T05:00-05:00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2028-02-29", "2026-11-24T23:59:59.999999999+14:00", "0001-01-01", "2026-11-24T0300"})
    void acceptsIsoDates(String version) {
        assertThat(scheme.isValid(version)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-29", "2026-13-01", "2026-00-10", "2026-11-31", "2026-11-24T24:00",
        "2026-11-24T12:60", "2026-11-24T12:00:61", "2026-11-24T12:00+19:00", "2026-1124", "2026.11-24", "26-11-24",
        "2026-11-2", "2026/11/24", "2026-11-24T", "2026-11-24 03:00", "2026-11-24T3:00", "2026-11-24T03:0000",
        "2026-11-24T03:00:00.", "2026-11-24T03:00:00.1234567890", "24.11.2026", "latest", "１２３４-11-24"})
    void rejectsWhatIsNoDate(String version) {
        assertMalformed(scheme, version, "2026-11-24");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void treatsNothingAsInvalid(String version) {
        assertMalformed(scheme, version, "2026-11-24");
    }
}
