package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

class ServerCsvTest {

    private static final String HEADER = "name,host,port,user,keyfile";
    private static final String KEY = "ecdsa-sha2-nistp256 "
            + "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKKUDO8C"
            + "UqcH5FiTbBCQH9vkxGengm9LGh2eM0yEK7So7gdsNek/kGDOo56NvMUX5pwtG+IB3X4qvPH9fFA5vQ0=";

    private static List<Server> read(String csv) throws IOException {
        return read(csv.getBytes(StandardCharsets.UTF_8));
    }

    private static List<Server> read(byte[] csv) throws IOException {
        try (InputStream in = new ByteArrayInputStream(csv)) {
            return ServerCsv.read(in, TestTransports.all());
        }
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
    }

    /** The address column names the transport: an agent's server needs no login, an SSH or SFTP one does. */
    @Test
    void anAddressColumnOverridesHostAndPortAndNamesTheTransport() throws IOException {
        List<Server> servers = read(HEADER + ",address\n"
                + "web-01,10.0.0.1,22,deploy,/keys/id,\n"
                + "files-01,,,deploy,/keys/id,sftp://10.0.0.2:2222\n"
                + "agent-01,,,,,http://10.0.0.3:8181\n"
                + "agent-02,,,,,https://agent.example\n"
                + "web-02,10.0.0.9,22,deploy,/keys/id,ssh://10.0.0.4\n");

        assertThat(servers).extracting(Server::address).containsExactly(URI.create("ssh://10.0.0.1:22"),
                URI.create("sftp://10.0.0.2:2222"), URI.create("http://10.0.0.3:8181"),
                URI.create("https://agent.example:443"), URI.create("ssh://10.0.0.4:22"));
        assertThat(servers.get(2).settings()).isEmpty();
        assertThat(servers.get(0).settings()).containsExactlyInAnyOrderEntriesOf(
                Map.of(LoginSettings.USER, "deploy", LoginSettings.KEY_FILE, "/keys/id"));
        assertThat(servers.get(0).attributes()).isEmpty();
    }

    /** The login columns of an operator's CSV are settings, as they were fields, and never attributes. */
    @Test
    void theLoginColumnsAreSettingsAndAnyOtherColumnAnAttribute() throws IOException {
        Server server = read(HEADER + ",site\nweb-01,10.0.0.1,22,deploy,/keys/id,paris\n").get(0);

        assertThat(server.settings()).containsExactlyInAnyOrderEntriesOf(
                Map.of(LoginSettings.USER, "deploy", LoginSettings.KEY_FILE, "/keys/id"));
        assertThat(server.attributes()).containsExactlyEntriesOf(Map.of("site", "paris"));
    }

    /** An agent takes no login: a key file given to one would be ignored, so the operator is told instead. */
    @Test
    void aKeyFileOnAnHttpServerIsRefusedWithTheServerAndTheColumn() {
        assertThatThrownBy(() -> read("name,address,user,keyfile\n"
                + "web-01,ssh://10.0.0.1,deploy,/keys/id\n"
                + "agent-01,http://10.0.0.3:8181,,/keys/id\n"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("Line 3").hasMessageContaining("agent-01")
                .hasMessageContaining("'keyfile'").hasMessageContaining("http transport does not take")
                .hasMessageContaining("Nothing was imported");
    }

    /** A column one transport names is a setting of every server, refused where its transport does not take it. */
    @Test
    void aSettingOfAnotherTransportIsRefusedAndAnUnknownColumnStaysAnAttribute() throws IOException {
        assertThatThrownBy(() -> read("name,address,user,keyfile,pin\n"
                + "web-01,ssh://10.0.0.1,deploy,/keys/id,SHA256:abc\n"))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("Line 2").hasMessageContaining("web-01")
                .hasMessageContaining("'pin'").hasMessageContaining("takes keyfile, user");

        List<Server> servers = read("name,address,pin,rack\nagent-01,https://10.0.0.3,SHA256:abc,r1\n");
        assertThat(servers.get(0).settings()).containsExactlyEntriesOf(Map.of(TestTransports.PIN, "SHA256:abc"));
        assertThat(servers.get(0).attributes()).containsExactlyEntriesOf(Map.of("rack", "r1"));
    }

    /** Without its transport nobody can tell which columns are its settings, nor check them: nothing is imported. */
    @Test
    void aServerWhoseTransportIsNotInstalledIsRefused() {
        assertThatThrownBy(() -> ServerCsv.read(new ByteArrayInputStream(("name,address\n"
                + "agent-01,http://10.0.0.3:8181\n").getBytes(StandardCharsets.UTF_8)), TestTransports.only("ssh")))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_MISSING))
                .hasMessageContaining("Line 2").hasMessageContaining("feature:install fleetup-transport-http");
    }

    @Test
    void anAddressAloneIsEnoughBesideTheName() throws IOException {
        assertThat(read("name,address\nagent-01,http://127.0.0.1:9001\n")).extracting(Server::address)
                .containsExactly(URI.create("http://127.0.0.1:9001"));
    }

    /** Transports are hot-deployable: a scheme of one added later is imported, when its port is given. */
    @Test
    void anAddressOfAnotherInstalledTransportsSchemeIsTakenWithItsPort() throws IOException {
        try (InputStream in = new ByteArrayInputStream("name,address\nsim-01,standin://sim-01:1\n"
                .getBytes(StandardCharsets.UTF_8))) {
            assertThat(ServerCsv.read(in, TestTransports.all().plus("standin"))).extracting(Server::address)
                    .containsExactly(URI.create("standin://sim-01:1"));
        }
    }

    @Test
    void aBadAddressIsRefusedWithItsLine() {
        assertThatThrownBy(() -> read("name,address\nagent-01,ftp://10.0.0.3\n"))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("Line 2").hasMessageContaining("ftp://10.0.0.3")
                .hasMessageContaining("ssh, sftp, http or https").hasMessageContaining("port");
        assertThatThrownBy(() -> read("name,address\nagent-01,http://\n"))
                .isInstanceOf(FleetupException.class).hasMessageContaining("Line 2");
        assertThatThrownBy(() -> read("name,address\nagent-01,10.0.0.3:22\n"))
                .isInstanceOf(FleetupException.class).hasMessageContaining("Line 2");
    }

    @Test
    void anSshOrSftpAddressStillNeedsItsLogin() {
        assertThatThrownBy(() -> read("name,address,user,keyfile\nfiles-01,sftp://10.0.0.2,,/keys/id\n"))
                .isInstanceOf(FleetupException.class).hasMessageContaining("Line 2: Server 'files-01' has no 'user'");
        assertThatThrownBy(() -> read("name,address\nweb-01,ssh://10.0.0.2\n"))
                .isInstanceOf(FleetupException.class).hasMessageContaining("Line 2: Server 'web-01' has no 'user'");
    }

    @Test
    void aRowWithoutAnAddressNeedsHostAndPortColumns() {
        assertThatThrownBy(() -> read("name,address\nweb-01,\n"))
                .isInstanceOf(FleetupException.class).hasMessageContaining("Line 2: 'host' is empty");
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
    void hostKeysAreLookedUpByServerHostAndPort() throws IOException {
        ServerImport.HostKeys known = (server, host, port) -> host.equals("10.0.0.1") && port == 2222 ? KEY : null;

        List<Server> servers = ServerCsv.read(new ByteArrayInputStream((HEADER + "\n"
                + "a,10.0.0.1,2222,deploy,/k\n"
                + "b,10.0.0.1,22,deploy,/k\n").getBytes(StandardCharsets.UTF_8)), TestTransports.all());

        assertThat(ServerCsv.hostKeys(servers, known)).as("another port is another host")
                .containsExactlyEntriesOf(Map.of("a", KEY));
    }

    @Test
    void aUtf8ByteOrderMarkIsNotPartOfTheFirstColumnName() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = (HEADER + "\nweb-01,10.0.0.1,22,deploy,/k\n").getBytes(StandardCharsets.UTF_8);
        byte[] csv = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, csv, 0, bom.length);
        System.arraycopy(text, 0, csv, bom.length, text.length);

        assertThat(read(csv)).extracting(Server::name).containsExactly("web-01");
    }

    @Test
    void windowsLineEndsAreReadAsLineEnds() throws IOException {
        List<Server> servers = read(HEADER + ",site\r\nweb-01,10.0.0.1,22,deploy,/k,paris\r\n"
                + "web-02,10.0.0.2,22,deploy,/k,lyon\r\n");

        assertThat(servers).extracting(Server::name).containsExactly("web-01", "web-02");
        assertThat(servers).extracting(s -> s.attributes().get("site")).containsExactly("paris", "lyon");
    }

    @Test
    void aQuotedFieldMayHoldACommaAndDoubledQuotes() throws IOException {
        List<Server> servers = read(HEADER + "\n"
                + "web-01,10.0.0.1,22,deploy,\"/keys/fleet, 2024/id\"\n"
                + "web-02,10.0.0.2,22,deploy,\"/keys/the \"\"old\"\" key\"\n");

        assertThat(servers).extracting(LoginSettings::keyFile)
                .containsExactly("/keys/fleet, 2024/id", "/keys/the \"old\" key");
    }

    @Test
    void blankLinesAreSkippedAndLineNumbersStayThoseOfTheFile() {
        String csv = HEADER + "\n\nweb-01,10.0.0.1,22,deploy,/k\n   \n,,,,\n\nweb-02,10.0.0.2,22,deploy\n";

        assertThatThrownBy(() -> read(csv))
                .hasMessageContaining("Line 7")
                .hasMessageContaining("4 fields, the header has 5");
    }

    @Test
    void blankLinesAnywhereImportTheOtherLines() throws IOException {
        assertThat(read("\n" + HEADER + "\n\nweb-01,10.0.0.1,22,deploy,/k\n  \n,,,,\n\n"
                + "web-02,10.0.0.2,22,deploy,/k\n\n"))
                .extracting(Server::name).containsExactly("web-01", "web-02");
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedWithTheLineAndTheByte() {
        String beforeTheByte = HEADER + ",site\nweb-01,10.0.0.1,22,deploy,/k,paris\nweb-02,10.0.0.2,22,deploy,/k,b";
        byte[] latin1 = (beforeTheByte + "\u00e9ziers\n").getBytes(StandardCharsets.ISO_8859_1);
        int offset = beforeTheByte.length();

        assertThatThrownBy(() -> read(latin1))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("not UTF-8")
                .hasMessageContaining("line 3")
                .hasMessageContaining("offset " + offset)
                .hasMessageContaining("0xE9");
    }
}
