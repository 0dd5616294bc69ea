package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;

/** Order checks shared by the scheme tests: both directions of every pair, so that an asymmetric compare shows. */
final class SchemeAssertions {

    private SchemeAssertions() {
    }

    /** Every version is older than every one after it. */
    static void assertAscending(VersionScheme scheme, String... versions) {
        for (int i = 0; i < versions.length; i++) {
            for (int j = i + 1; j < versions.length; j++) {
                assertThat(scheme.compare(versions[i], versions[j])).as("%s < %s", versions[i], versions[j]).isNegative();
                assertThat(scheme.compare(versions[j], versions[i])).as("%s > %s", versions[j], versions[i]).isPositive();
            }
        }
    }

    static void assertSame(VersionScheme scheme, String a, String b) {
        assertThat(scheme.compare(a, b)).as("%s == %s", a, b).isZero();
        assertThat(scheme.compare(b, a)).as("%s == %s", b, a).isZero();
    }

    /** Not valid, and compare names it and the scheme, whichever side it is on. */
    static void assertMalformed(VersionScheme scheme, String version, String valid) {
        assertThat(scheme.isValid(version)).as("valid: '%s'", version).isFalse();
        assertThatThrownBy(() -> scheme.compare(version, valid))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.VERSION_MALFORMED))
                .hasMessageContaining("'" + version + "' is not a");
        assertThatThrownBy(() -> scheme.compare(valid, version))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.VERSION_MALFORMED));
    }
}
