package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;

class DefaultVersionSchemesTest {

    private final DefaultVersionSchemes schemes = new DefaultVersionSchemes();

    @Test
    void namesEverySchemeInAlphabeticalOrder() {
        assertThat(schemes.names()).containsExactly("date", "debian", "maven", "semantic", "serial");
    }

    @Test
    void findsEachSchemeByItsName() {
        for (String name : schemes.names()) {
            assertThat(schemes.scheme(name).name()).isEqualTo(name);
        }
    }

    @Test
    void refusesAnUnknownSchemeListingTheKnownOnes() {
        assertThatThrownBy(() -> schemes.scheme("calver"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SCHEME_UNKNOWN))
                .hasMessageContaining("'calver'")
                .hasMessageContaining("date, debian, maven, semantic, serial");
    }

    @Test
    void refusesNoSchemeAsUnknown() {
        assertThatThrownBy(() -> schemes.scheme(null))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SCHEME_UNKNOWN));
    }

    @Test
    void keepsItsNamesUnmodifiable() {
        assertThatThrownBy(() -> schemes.names().add("mine")).isInstanceOf(UnsupportedOperationException.class);
    }
}
