package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.comparison.internal.SchemeAssertions.assertAscending;
import static org.fleetup.comparison.internal.SchemeAssertions.assertMalformed;
import static org.fleetup.comparison.internal.SchemeAssertions.assertSame;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SerialVersionSchemeTest {

    private final SerialVersionScheme scheme = new SerialVersionScheme();

    @Test
    void ordersByValueNotText() {
        assertAscending(scheme, "0", "1", "2", "9", "10", "99", "100", "1042", "9223372036854775807",
                "9223372036854775808", "123456789012345678901234567890");
    }

    @Test
    void ignoresLeadingZeros() {
        assertSame(scheme, "007", "7");
        assertSame(scheme, "0000", "0");
        assertAscending(scheme, "009", "10");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+1", "1.0", "1e3", "0x10", "12a", " 1", "1 ", "1_000", "١٢"})
    void rejectsAnythingButDigits(String version) {
        assertMalformed(scheme, version, "1");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void treatsNothingAsInvalid(String version) {
        assertMalformed(scheme, version, "1");
    }

    @Test
    void acceptsASerialOfAnyLength() {
        assertThat(scheme.isValid("9".repeat(500))).isTrue();
    }
}
