package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.fleetup.api.FleetupException;
import org.fleetup.testing.OpenSshKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void fingerprintIsTheOneOpenSshShowsForEachKeyType(@TempDir Path dir) throws Exception {
        OpenSshKeys openSsh = new OpenSshKeys(dir);
        for (String type : new String[] {"ed25519", "ecdsa", "rsa"}) {
            String key = openSsh.newKey(type, "host-" + type);
            assertThat(Formats.fingerprint(key)).isEqualTo(openSsh.fingerprint(key));
            assertThat(Formats.fingerprint(key + " a comment")).isEqualTo(openSsh.fingerprint(key));
        }
    }

    @Test
    void aLineThatIsNoKeyIsShownAsItIs(@TempDir Path dir) throws Exception {
        String key = new OpenSshKeys(dir).newKey("host");
        String otherType = "ssh-rsa " + key.split(" ")[1];
        for (String notAKey : new String[] {"SHA256:abc", "ssh-ed25519 not-base64!", "ssh-ed25519 AAAA", otherType}) {
            assertThat(Formats.fingerprint(notAKey)).isEqualTo(notAKey);
        }
    }
}
