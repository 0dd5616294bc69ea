package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who the transport connects to and who it refuses, against real SSH servers of the simulated fleet. */
class SshTransportConnectTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path fleetDirectory;

    private static SimulatedFleet fleet;
    private static SshTransport transport;
    private static SimulatedHost host;
    private static SimulatedHost otherHost;

    @BeforeAll
    static void startFleet() {
        fleet = new SimulatedFleet(fleetDirectory.resolve("fleet"));
        List<SimulatedHost> hosts = fleet.start("connect", List.of(new HostSpec("1.0.0", Set.of()),
                new HostSpec("1.0.0", Set.of())));
        host = hosts.get(0);
        otherHost = hosts.get(1);
        transport = new SshTransport(new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 64 * 1024), fleet.trust());
    }

    /** What a test trusted of its host instead of its own key holds for that test only. */
    @AfterEach
    void trustTheHostsOwnKeysAgain() {
        fleet.trust().trust(fleet.server(host), host.hostKey());
        fleet.trust().trust(fleet.server(otherHost), otherHost.hostKey());
    }

    @AfterAll
    static void stopFleet() {
        transport.close();
        fleet.close();
    }

    private static String fingerprint(String openSshKey) throws Exception {
        PublicKey key = PublicKeyEntry.parsePublicKeyEntry(openSshKey)
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        return KeyUtils.getFingerPrint(key);
    }

    private static FleetupException connectFailure(Server server) {
        try (Session session = transport.connect(server)) {
            throw new AssertionError("connected to " + server.name() + " although it should have been refused: "
                    + session.server());
        } catch (FleetupException e) {
            return e;
        }
    }

    @Test
    void serverWithItsRecordedKeyIsReachedAndRunsCommands() {
        try (Session session = transport.connect(fleet.server(host))) {
            assertThat(session.isOpen()).isTrue();
            assertThat(session.execute("echo $USER", COMMAND_TIMEOUT).stdout().strip()).isEqualTo(fleet.user());
        }
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprint() throws Exception {
        FleetupException refused = connectFailure(trusted(fleet.trust(), fleet.server(host), null));

        String fingerprint = fingerprint(host.hostKey());
        assertThat(fingerprint).startsWith("SHA256:");
        assertThat(refused.code()).isEqualTo(FleetupException.HOST_KEY_UNKNOWN);
        assertThat(refused.getMessage())
                .startsWith("Unknown host key for server " + host.name() + " at 127.0.0.1:" + host.port()
                        + ": ecdsa-sha2-nistp256 " + fingerprint)
                .contains("'fleet:server-trust " + host.name() + " " + fingerprint + "'")
                .contains("fleet:server-import --known-hosts FILE");
    }

    @Test
    void changedHostKeyIsRefusedNamingBothFingerprints() throws Exception {
        FleetupException refused = connectFailure(trusted(fleet.trust(), fleet.server(host), otherHost.hostKey()));

        assertThat(refused.code()).isEqualTo(FleetupException.HOST_KEY_CHANGED);
        assertThat(refused.getMessage())
                .contains("host key of " + host.name())
                .contains("CHANGED")
                .contains("man-in-the-middle")
                .contains(fingerprint(otherHost.hostKey()))
                .contains(fingerprint(host.hostKey()));
    }

    @Test
    void trustedFingerprintIsAcceptedInPlaceOfTheKey() throws Exception {
        Server server = trusted(fleet.trust(), fleet.server(host), fingerprint(host.hostKey()));

        try (Session session = transport.connect(server)) {
            assertThat(session.execute("true", COMMAND_TIMEOUT).succeeded()).isTrue();
        }
    }

    @Test
    void otherHostsFingerprintIsRefusedAsAChangedKey() throws Exception {
        FleetupException refused = connectFailure(
                trusted(fleet.trust(), fleet.server(host), fingerprint(otherHost.hostKey())));

        assertThat(refused.code()).isEqualTo(FleetupException.HOST_KEY_CHANGED);
    }

    @Test
    void malformedRecordedHostKeyIsAnInvalidServer() {
        FleetupException refused = connectFailure(trusted(fleet.trust(), fleet.server(host), "ssh-rsa not-base64!"));

        assertThat(refused.code()).isEqualTo(FleetupException.SERVER_INVALID);
    }

    @Test
    void wrongClientKeyIsRefused() {
        // Another fleet directory holds another client key, one that no host of this fleet authorizes.
        Path strangerKey;
        try (SimulatedFleet stranger = new SimulatedFleet(fleetDirectory.resolve("stranger"))) {
            strangerKey = stranger.clientKey();
        }
        Server server = fleet.server(host);
        Server withStrangerKey = new Server(server.name(), server.cluster(), server.address(),
                LoginSettings.of(LoginSettings.user(server), strangerKey.toString()), server.attributes());

        FleetupException refused = connectFailure(withStrangerKey);

        assertThat(refused.code()).isEqualTo(FleetupException.AUTHENTICATION_FAILED);
        assertThat(refused.getMessage()).contains(host.name()).contains(strangerKey.toString());
    }

    @Test
    void missingKeyFileIsAnAuthenticationFailureNamingIt() {
        Path missing = fleetDirectory.resolve("no-such-key");
        Server server = fleet.server(host);
        Server withoutKey = new Server(server.name(), server.cluster(), server.address(),
                LoginSettings.of(LoginSettings.user(server), missing.toString()), server.attributes());

        FleetupException refused = connectFailure(withoutKey);

        assertThat(refused.code()).isEqualTo(FleetupException.AUTHENTICATION_FAILED);
        assertThat(refused.getMessage()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void unreadableKeyFileIsReportedWithoutItsContent() throws IOException {
        Path garbage = Files.writeString(fleetDirectory.resolve("garbage-key"), "secret-looking-garbage");
        Server server = fleet.server(host);
        Server withGarbage = new Server(server.name(), server.cluster(), server.address(),
                LoginSettings.of(LoginSettings.user(server), garbage.toString()), server.attributes());

        FleetupException refused = connectFailure(withGarbage);

        assertThat(refused.code()).isEqualTo(FleetupException.AUTHENTICATION_FAILED);
        assertThat(refused.getMessage()).contains(garbage.toString()).doesNotContain("secret-looking-garbage");
    }

    @Test
    void hostRefusingConnectionsIsUnreachable() {
        SimulatedHost refusing = fleet.start("refusing", List.of(new HostSpec("1.0.0",
                Set.of(Fault.REFUSE_CONNECTIONS)))).get(0);

        FleetupException refused = connectFailure(fleet.server(refusing));

        assertThat(refused.code()).isEqualTo(FleetupException.SERVER_UNREACHABLE);
        assertThat(refused.getMessage()).startsWith("Cannot reach " + refusing.name() + " at 127.0.0.1:"
                + refusing.port() + ": ");
    }

    @Test
    void portNobodyListensOnIsUnreachableWithoutWaitingForTheTimeout() throws IOException {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        Server server = trusted(fleet.trust(), new Server("nobody", null, URI.create("ssh://127.0.0.1:" + freePort),
                LoginSettings.of(fleet.user(), fleet.clientKey().toString()), null), host.hostKey());

        // The transport waits 10 s for a connection; a refused one must be reported long before that.
        FleetupException refused = assertTimeoutPreemptively(Duration.ofSeconds(3), () -> connectFailure(server));

        assertThat(refused.code()).isEqualTo(FleetupException.SERVER_UNREACHABLE);
        assertThat(refused.getMessage()).startsWith("Cannot reach nobody at 127.0.0.1:" + freePort + ": connection"
                + " refused");
    }

    @Test
    void userComesFromTheAddressWhenTheRecordHasNone() {
        Server server = fleet.server(host);
        Server userInAddress = new Server(server.name(), null,
                URI.create("ssh://" + fleet.user() + "@127.0.0.1:" + host.port()), LoginSettings.of(null,
                        LoginSettings.keyFile(server)), null);

        try (Session session = transport.connect(userInAddress)) {
            assertThat(session.execute("echo $USER", COMMAND_TIMEOUT).stdout().strip()).isEqualTo(fleet.user());
        }
    }

    @Test
    void addressWithoutHostIsAnInvalidServer() {
        Server server = fleet.server(host);
        Server noHost = new Server(server.name(), null, URI.create("ssh:relative"), server.settings(), null);

        assertThat(connectFailure(noHost).code()).isEqualTo(FleetupException.SERVER_INVALID);
    }
}
