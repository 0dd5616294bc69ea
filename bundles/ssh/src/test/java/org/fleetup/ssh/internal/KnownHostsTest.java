package org.fleetup.ssh.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.testing.OpenSshKeys;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** known_hosts files as OpenSSH writes and reads them, with keys made by ssh-keygen. */
class KnownHostsTest {

    @TempDir
    Path dir;

    private OpenSshKeys openSsh;
    private String key;
    private String otherKey;

    @BeforeEach
    void keys() throws IOException, InterruptedException {
        openSsh = new OpenSshKeys(dir);
        key = openSsh.newKey("k1");
        otherKey = openSsh.newKey("k2");
    }

    private final List<String> refusals = new ArrayList<>();

    private String trusted(Path knownHosts, String host, int port) {
        return KnownHosts.read(knownHosts).trustedKey(host, host, port, refusals::add);
    }

    @Test
    void revokedWildcardOutranksAPlainLine() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "@revoked * " + key, "web1 " + key);

        assertThat(trusted(file, "web1", 22)).isNull();
    }

    @Test
    void refusalNamesTheServerTheKeyAndTheRevokingLine() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "# revoked after the incident", "@revoked * " + key, "web1 " + key);

        String trusted = KnownHosts.read(file).trustedKey("web-01", "web1", 22, refusals::add);

        assertThat(trusted).isNull();
        assertThat(refusals).singleElement().asString()
                .contains("web-01")
                .contains(openSsh.fingerprint(key))
                .contains("line 3 of " + file)
                .contains("revoked by line 2: @revoked *");
    }

    @Test
    void keysThatAreNotRevokedAreTrustedSilently() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "@revoked * " + otherKey, "web1 " + key);

        assertThat(trusted(file, "web1", 22)).isEqualTo(key);
        assertThat(refusals).isEmpty();
    }

    @Test
    void revokedWildcardCoversEveryPort() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "@revoked * " + key, "[web1]:2222 " + key);

        assertThat(trusted(file, "web1", 2222)).isNull();
    }

    @Test
    void revokedKeyIsRefusedOnAHashedLine() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(true, "web1 " + key, "@revoked * " + key);

        assertThat(trusted(file, "web1", 22)).isNull();
    }

    @Test
    void hashedRevokedLineIsHonoured() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "@revoked " + openSsh.hashedHost("web1", key) + " " + key,
                "web1 " + key);

        assertThat(trusted(file, "web1", 22)).isNull();
    }

    @Test
    void revokedKeyLeavesTheServersOtherKey() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "web1 " + key, "web1 " + otherKey, "@revoked * " + key);

        assertThat(trusted(file, "web1", 22)).isEqualTo(otherKey);
        assertThat(refusals).singleElement().asString().contains(openSsh.fingerprint(key));
    }

    @Test
    void certAuthorityLineIsRefusedNamingIt() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "web1 " + key, "@cert-authority *.example.com " + otherKey);

        assertThatThrownBy(() -> trusted(file, "web1", 22))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("@cert-authority *.example.com")
                .hasMessageContaining("host certificates");
    }

    @Test
    void unknownMarkerIsRefused() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "@revoke * " + key, "web1 " + key);

        assertThatThrownBy(() -> trusted(file, "web1", 22))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("@revoke");
    }

    @Test
    void unreadableLineIsRefusedRatherThanSkipped() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "web1 " + key, "@revoked *");

        assertThatThrownBy(() -> trusted(file, "web1", 22))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void hostNamesMatchWhateverTheirCase() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "Web1.Example.COM " + key, "[WEB2.example.com]:2222 " + otherKey);

        assertThat(trusted(file, "web1.example.com", 22)).isEqualTo(key);
        assertThat(trusted(file, "WEB1.EXAMPLE.COM", 22)).isEqualTo(key);
        assertThat(trusted(file, "web2.Example.com", 2222)).isEqualTo(otherKey);
    }

    @Test
    void hashedEntryMatchesWhateverTheCaseOfTheHost() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(true, "web1.example.com " + key);

        assertThat(trusted(file, "Web1.Example.com", 22)).isEqualTo(key);
    }

    @Test
    void hashedEntryMatchesItsHostAndPortOnly() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(true, "web1 " + key, "[web1]:2222 " + otherKey);

        assertThat(trusted(file, "web1", 22)).isEqualTo(key);
        assertThat(trusted(file, "web1", 2222)).isEqualTo(otherKey);
        assertThat(trusted(file, "web1", 2223)).isNull();
        assertThat(trusted(file, "web2", 22)).isNull();
    }

    @Test
    void portOtherThan22NeedsItsBracketedEntry() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "web1 " + key, "[web2]:2222 " + otherKey);

        assertThat(trusted(file, "web1", 2222)).as("web1 is known on port 22 only").isNull();
        assertThat(trusted(file, "web2", 2222)).isEqualTo(otherKey);
        assertThat(trusted(file, "web2", 22)).isNull();
    }

    @Test
    void negatedPatternExcludesItsHost() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "web?,!web2 " + key);

        assertThat(trusted(file, "web1", 22)).isEqualTo(key);
        assertThat(trusted(file, "web2", 22)).isNull();
        assertThat(trusted(file, "web10", 22)).isNull();
    }

    @Test
    void lonelyWildcardMatchesEveryPortAsInOpenSsh() throws IOException, InterruptedException {
        Path file = openSsh.knownHosts(false, "* " + key, "*.example.com " + otherKey);

        assertThat(trusted(file, "web1", 2222)).isEqualTo(key);
        assertThat(trusted(file, "a.example.com", 22)).isEqualTo(key);
    }
}
