package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.comparison.internal.SchemeAssertions.assertAscending;
import static org.fleetup.comparison.internal.SchemeAssertions.assertMalformed;
import static org.fleetup.comparison.internal.SchemeAssertions.assertSame;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SemanticVersionSchemeTest {

    private final SemanticVersionScheme scheme = new SemanticVersionScheme();

    @Test
    void ordersNumbersByValueNotText() {
        assertAscending(scheme, "0.0.0", "0.0.1", "0.1.0", "0.9.0", "0.10.0", "1.0.0", "1.9.9", "1.10.0", "2.0.0",
                "2.1.0", "2.1.1", "10.0.0", "11.0.0");
    }

    @Test
    void ordersPreReleasesAsTheSpecificationLists() {
        // semver.org, section 11
        assertAscending(scheme, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0");
    }

    @Test
    void ordersNumericIdentifiersBeforeAlphanumericOnes() {
        assertAscending(scheme, "1.0.0-1", "1.0.0-2", "1.0.0-10", "1.0.0-1a", "1.0.0-a", "1.0.0-a-b", "1.0.0-b");
    }

    @Test
    void comparesAlphanumericIdentifiersInAsciiOrder() {
        assertAscending(scheme, "1.0.0-RC", "1.0.0-Rc", "1.0.0-rc", "1.0.0-rc.1");
    }

    @Test
    void comparesNumbersOfAnyLength() {
        assertAscending(scheme, "1.0.9223372036854775807", "1.0.9223372036854775808", "1.0.99999999999999999999999");
        assertAscending(scheme, "1.0.0-9223372036854775808", "1.0.0-99999999999999999999999");
    }

    @Test
    void ignoresBuildMetadataForOrder() {
        assertSame(scheme, "1.0.0+build.1", "1.0.0+build.2");
        assertSame(scheme, "1.0.0", "1.0.0+20260101");
        assertSame(scheme, "1.0.0-rc.1+x.7", "1.0.0-rc.1");
        assertAscending(scheme, "1.0.0-rc.1+zzz", "1.0.0+aaa");
    }

    @Test
    void ordersEqualVersionsAsSame() {
        assertSame(scheme, "2.0.0", "2.0.0");
        assertSame(scheme, "2.0.0-rc.1", "2.0.0-rc.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0.0", "0.0.0", "1.2.3-alpha", "1.2.3-alpha.0", "1.2.3-0a", "1.2.3-00a", "1.2.3--",
        "1.2.3-x-y.z--", "1.2.3+001", "1.2.3-rc.1+build.5-x", "10.20.30"})
    void acceptsSemanticVersions(String version) {
        assertThat(scheme.isValid(version)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "1.0", "1.x", "1.0.0.0", "01.0.0", "1.01.0", "1.0.01", "1.0.0-01", "1.0.0-alpha.01",
        "1.0.0-", "1.0.0-a..b", "1.0.0-a.", "1.0.0+", "1.0.0+a..b", "1.0.0-a_b", "v1.0.0", " 1.0.0", "1.0.0 ",
        "1.0.0\n", "-1.0.0", "1.-1.0", "abc", "１.0.0", "1.0.0-é"})
    void rejectsWhatIsNotSemanticVersioning(String version) {
        assertMalformed(scheme, version, "1.0.0");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void treatsNothingAsInvalid(String version) {
        assertMalformed(scheme, version, "1.0.0");
    }

    @Test
    void explainsWhatASemanticVersionIs() {
        assertThatThrownBy(() -> scheme.compare("1.x", "2.0.0"))
                .isInstanceOf(FleetupException.class)
                .hasMessage("'1.x' is not a semantic version (MAJOR.MINOR.PATCH, e.g. 2.0.0)");
    }
}
