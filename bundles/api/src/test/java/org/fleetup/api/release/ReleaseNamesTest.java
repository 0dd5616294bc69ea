package org.fleetup.api.release;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReleaseNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"demo-app", "com.acme.agent", "bios_v2", "A1"})
    void productNamesOfTheStoreAreAccepted(String product) {
        assertThat(ReleaseNames.requireProduct(product)).isEqualTo(product);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$(reboot)", "../demo", ".hidden", "-rf", "demo app", "demo;reboot", "a/b", "",
            "demo\napp", "démo"})
    void anythingElseIsRefusedNamingTheValueAndTheCharactersAllowed(String product) {
        assertThatThrownBy(() -> ReleaseNames.requireProduct(product))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("'" + product + "' is not a product name")
                .hasMessageContaining("letters, digits, '.', '_' and '-'");
        assertThatThrownBy(() -> ReleaseNames.requireProduct(null)).isInstanceOf(FleetupException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0.0", "1.0.0-rc.1+build.5", "1:2.30-1", "1.0~rc1", "1042", "2024-01-01T10:00:00,5Z",
            "1.0-SNAPSHOT"})
    void versionsOfEveryScheme(String version) {
        assertThat(ReleaseNames.requireVersion(version)).isEqualTo(version);
    }

    @ParameterizedTest
    @ValueSource(strings = {"$(reboot)", "..", "../2.0.0", ".1", "-1", "1.0 beta", "1/0", "1'0", ""})
    void versionsThatCannotNameADirectoryAreRefused(String version) {
        assertThatThrownBy(() -> ReleaseNames.requireVersion(version))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("'" + version + "' cannot be a version on a server")
                .hasMessageContaining("letters, digits");
    }
}
