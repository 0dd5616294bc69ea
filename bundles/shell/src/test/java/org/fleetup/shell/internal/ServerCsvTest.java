package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerCsvTest {

    private static final String HEADER = "name,host,port,user,keyfile";
    private static final String KEY = "ecdsa-sha2-nistp256 "
            + "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKKUDO8C"
            + "UqcH5FiTbBCQH9vkxGengm9LGh2eM0yEK7So7gdsNek/kGDOo56NvMUX5pwtG+IB3X4qvPH9fFA5vQ0=";

    private static List<Server> read(String csv) throws IOException {
        return ServerCsv.read(new StringReader(csv), KnownHosts.none());
    }

    @Test
    void readsServersWithClusterAndAttributes() throws IOException {
        List<Server> servers = read(HEADER + ",cluster,site\n"
                + "web-01,10.0.0.1,22,deploy,/keys/id,web,paris\n"
                + "# a comment line\n"
                + "web-02,10.0.0.2,2222,deploy,/keys/id,,\n");

        assertThat(servers).extracting(Server::name).containsExactly("web-01", "web-02");
        assertThat(servers.get(0).address()).isEqualTo(URI.create("ssh://10.0.0.1:22"));
        assertThat(servers.get(0).cluster()).isEqualTo("web");
        assertThat(servers.get(0).attributes()).containsExactlyEntriesOf(java.util.Map.of("site", "paris"));
        assertThat(servers.get(1).cluster()).isEqualTo(Server.DEFAULT_CLUSTER);
        assertThat(servers.get(1).attributes()).isEmpty();
        assertThat(servers.get(1).hostKey()).isNull();
    }

    @Test
    void missingColumnIsNamed() {
        assertThatThrownBy(() -> read("name,host,user,keyfile\nweb-01,10.0.0.1,deploy,/keys/id\n"))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("no column 'port'")
                .extracting(e -> ((FleetupException) e).code()).isEqualTo(FleetupException.SERVER_INVALID);
    }

    @Test
    void duplicateNameIsRefusedWithItsLine() {
        assertThatThrownBy(() -> read(HEADER + "\nweb-01,10.0.0.1,22,deploy,/k\nweb-01,10.0.0.2,22,deploy,/k\n"))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("Line 3")
                .hasMessageContaining("'web-01' appears twice");
    }

    @Test
    void badPortIsRefusedWithItsLine() {
        for (String port : List.of("0", "65536", "ssh", "-1")) {
            assertThatThrownBy(() -> read(HEADER + "\nweb-01,10.0.0.1," + port + ",deploy,/k\n"))
                    .as(port)
                    .isInstanceOf(FleetupException.class)
                    .hasMessageContaining("Line 2")
                    .hasMessageContaining("port '" + port + "'");
        }
    }

    @Test
    void emptyFieldAndShortRowAreRefused() {
        assertThatThrownBy(() -> read(HEADER + "\nweb-01,,22,deploy,/k\n"))
                .hasMessageContaining("'host' is empty");
        assertThatThrownBy(() -> read(HEADER + "\nweb-01,10.0.0.1,22\n"))
                .hasMessageContaining("3 fields, the header has 5");
    }

    @Test
    void unsafeServerNameIsRefused() {
        assertThatThrownBy(() -> read(HEADER + "\n../etc,10.0.0.1,22,deploy,/k\n"))
                .hasMessageContaining("is not a server name");
    }

    @Test
    void hostKeysComeFromKnownHostsByHostAndPort(@TempDir Path dir) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), "[10.0.0.1]:2222 " + KEY + "\n");

        List<Server> servers = ServerCsv.read(new StringReader(HEADER + "\n"
                + "a,10.0.0.1,2222,deploy,/k\n"
                + "b,10.0.0.1,22,deploy,/k\n"), KnownHosts.read(knownHosts).hostKeys(refusal -> { }));

        assertThat(servers.get(0).hostKey()).isEqualTo(KEY);
        assertThat(servers.get(1).hostKey()).as("another port is another host").isNull();
    }

    @Test
    void serverWhoseOnlyKeyIsRevokedGetsNoKeyAndIsNamed(@TempDir Path dir) throws IOException {
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"),
                "@revoked * " + KEY + "\n[10.0.0.1]:2222 " + KEY + "\n");
        List<String> refusals = new ArrayList<>();

        List<Server> servers = ServerCsv.read(new StringReader(HEADER + "\na,10.0.0.1,2222,deploy,/k\n"),
                KnownHosts.read(knownHosts).hostKeys(refusals::add));

        assertThat(servers.get(0).hostKey()).isNull();
        assertThat(refusals).singleElement().asString()
                .startsWith("Not trusted for a: host key ecdsa-sha2-nistp256 SHA256:")
                .contains("revoked by line 1: @revoked *");
    }
}
