package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.fleetup.testing.ServerTrusts.trusted;

import java.io.ByteArrayInputStream;
import java.net.URI;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed session's connection serves the next session to the same server, and only then: counted as TCP
 * connections through a relay in front of a simulated host, one per SSH handshake.
 */
class SessionReuseTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String VERSION = "1.0.0";

    @TempDir
    static Path fleetDirectory;

    private static SimulatedFleet fleet;
    private static SimulatedHost host;

    private CountingRelay relay;
    private SshTransport transport;

    @BeforeAll
    static void startFleet() {
        fleet = new SimulatedFleet(fleetDirectory);
        host = fleet.start("reuse", List.of(new HostSpec(VERSION, Set.of()))).get(0);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @BeforeEach
    void startRelay() throws Exception {
        relay = new CountingRelay(host.port());
    }

    @AfterEach
    void stop() throws Exception {
        if (transport != null) {
            transport.close();
        }
        relay.close();
    }

    private SshTransport transport(Duration idle, int maxIdle) {
        transport = new SshTransport(SshSettings.defaults().withSessionReuse(idle, maxIdle), fleet.trust());
        return transport;
    }

    private SshTransport transport() {
        return transport(Duration.ofSeconds(30), 16);
    }

    private Server throughRelay() {
        return throughRelay(host);
    }

    private Server throughRelay(SimulatedHost target) {
        Server server = fleet.server(target);
        return new Server(server.name(), server.cluster(), URI.create("ssh://127.0.0.1:" + relay.port()),
                server.settings(), server.attributes());
    }

    private static String echo(Session session, String text) {
        return session.execute("echo " + text, COMMAND_TIMEOUT).stdout().strip();
    }

    private static String fingerprint(String openSshKey) throws Exception {
        PublicKey key = PublicKeyEntry.parsePublicKeyEntry(openSshKey)
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        return KeyUtils.getFingerPrint(key);
    }

    @Test
    void nextSessionToTheSameServerReusesTheConnection() {
        SshTransport ssh = transport();
        try (Session first = ssh.connect(throughRelay())) {
            assertThat(echo(first, "first")).isEqualTo("first");
        }
        assertThat(ssh.idleSessions()).isEqualTo(1);

        try (Session second = ssh.connect(throughRelay())) {
            assertThat(echo(second, "second")).isEqualTo("second");
            assertThat(ssh.idleSessions()).isZero();
        }

        assertThat(relay.connections()).isEqualTo(1);
    }

    @Test
    void transfersWorkOnAReusedConnection() {
        SshTransport ssh = transport();
        String target = host.root().resolve("reused.bin").toString();
        try (Session first = ssh.connect(throughRelay())) {
            first.upload(new ByteArrayInputStream(new byte[1000]), target, 0, written -> { });
        }

        try (Session second = ssh.connect(throughRelay())) {
            second.upload(new ByteArrayInputStream(new byte[500]), target, 1000, written -> { });
            assertThat(second.remoteSize(target)).isEqualTo(1500);
        }

        assertThat(relay.connections()).isEqualTo(1);
    }

    @Test
    void closedSessionRefusesWorkWhileItsConnectionServesTheNext() {
        SshTransport ssh = transport();
        Session first = ssh.connect(throughRelay());
        first.close();

        try (Session second = ssh.connect(throughRelay())) {
            assertThat(relay.connections()).isEqualTo(1);
            assertThat(first.isOpen()).isFalse();
            assertThatThrownBy(() -> first.execute("echo stale", COMMAND_TIMEOUT))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> first.remoteSize(host.root().resolve("VERSION").toString()))
                    .isInstanceOf(FleetupException.class);

            assertThat(second.isOpen()).isTrue();
            assertThat(echo(second, "mine")).isEqualTo("mine");
        }
    }

    @Test
    void closingASessionTwiceGivesItsConnectionBackOnce() {
        SshTransport ssh = transport();
        Session first = ssh.connect(throughRelay());
        first.close();
        first.close();

        assertThat(ssh.idleSessions()).isEqualTo(1);
    }

    @Test
    void concurrentSessionsToOneServerGetConnectionsOfTheirOwn() {
        SshTransport ssh = transport();
        try (Session first = ssh.connect(throughRelay()); Session second = ssh.connect(throughRelay())) {
            assertThat(echo(first, "one")).isEqualTo("one");
            assertThat(echo(second, "two")).isEqualTo("two");
            assertThat(relay.connections()).isEqualTo(2);
        }
        assertThat(ssh.idleSessions()).isEqualTo(2);
    }

    @Test
    void anotherExpectedHostKeyGetsANewConnection() throws Exception {
        SshTransport ssh = transport();
        Server recorded = throughRelay();
        ssh.connect(recorded).close();

        try (Session session = ssh.connect(trusted(fleet.trust(), recorded, fingerprint(host.hostKey())))) {
            assertThat(echo(session, "checked again")).isEqualTo("checked again");
        }

        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void anotherUserGetsANewConnectionAndLogsInAnew() {
        SshTransport ssh = transport();
        Server recorded = throughRelay();
        ssh.connect(recorded).close();
        Server otherUser = new Server(recorded.name(), recorded.cluster(), recorded.address(),
                LoginSettings.of("intruder", LoginSettings.keyFile(recorded)), recorded.attributes());

        assertThatThrownBy(() -> ssh.connect(otherUser))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.AUTHENTICATION_FAILED));
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void connectionDroppedByTheServerIsNotReused() {
        SshTransport ssh = transport();
        ssh.connect(throughRelay()).close();
        assertThat(ssh.idleSessions()).isEqualTo(1);

        relay.dropConnections();
        await().atMost(SETTLE).until(() -> ssh.idleSessions() == 0);

        try (Session fresh = ssh.connect(throughRelay())) {
            assertThat(echo(fresh, "fresh")).isEqualTo("fresh");
        }
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void connectionBrokenDuringAnUploadIsNotReused() throws Exception {
        SimulatedHost dropping = fleet.start("reuse-dropping", List.of(new HostSpec(VERSION,
                Set.of(Fault.DROP_CONNECTION)))).get(0);
        try (CountingRelay droppingRelay = new CountingRelay(dropping.port())) {
            Server server = fleet.server(dropping);
            Server throughDroppingRelay = new Server(server.name(), server.cluster(),
                    URI.create("ssh://127.0.0.1:" + droppingRelay.port()), server.settings(),
                            server.attributes());
            SshTransport ssh = transport();
            String target = dropping.root().resolve("dropped.bin").toString();
            try (Session session = ssh.connect(throughDroppingRelay)) {
                assertThatThrownBy(() -> session.upload(new ByteArrayInputStream(new byte[1024 * 1024]), target, 0,
                        written -> { })).isInstanceOf(FleetupException.class);
            }
            assertThat(ssh.idleSessions()).isZero();

            try (Session fresh = ssh.connect(throughDroppingRelay)) {
                assertThat(echo(fresh, "after the drop")).isEqualTo("after the drop");
            }
            assertThat(droppingRelay.connections()).isEqualTo(2);
        }
    }

    @Test
    void commandThatTimedOutLeavesItsConnectionUnreused() {
        SshTransport ssh = transport();
        try (Session session = ssh.connect(throughRelay())) {
            assertThatThrownBy(() -> session.execute("sleep 5", Duration.ofMillis(200)))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.COMMAND_TIMEOUT));
        }

        assertThat(ssh.idleSessions()).isZero();
        await().atMost(SETTLE).until(() -> relay.openConnections() == 0);
    }

    @Test
    void idleConnectionIsClosedAfterTheIdleTime() {
        SshTransport ssh = transport(Duration.ofMillis(300), 16);
        ssh.connect(throughRelay()).close();
        assertThat(relay.openConnections()).isEqualTo(1);

        await().atMost(SETTLE).until(() -> relay.openConnections() == 0);
        assertThat(ssh.idleSessions()).isZero();

        ssh.connect(throughRelay()).close();
        assertThat(relay.connections()).isEqualTo(2);
    }

    @Test
    void reuseTurnedOffClosesEveryConnection() {
        SshTransport ssh = transport(Duration.ZERO, 16);
        ssh.connect(throughRelay()).close();
        ssh.connect(throughRelay()).close();

        assertThat(ssh.idleSessions()).isZero();
        assertThat(relay.connections()).isEqualTo(2);
        await().atMost(SETTLE).until(() -> relay.openConnections() == 0);
    }

    @Test
    void oldestIdleConnectionIsClosedBeyondTheMaximum() throws Exception {
        SshTransport ssh = transport(Duration.ofSeconds(30), 1);
        try (CountingRelay newerRelay = new CountingRelay(host.port())) {
            Server newerRecord = trusted(fleet.trust(), new Server(host.name(), SimulatedFleet.CLUSTER,
                    URI.create("ssh://127.0.0.1:" + newerRelay.port()), LoginSettings.of(fleet.user(),
                    fleet.clientKey().toString()),
                            null), host.hostKey());
            Session older = ssh.connect(throughRelay());
            Session newer = ssh.connect(newerRecord);
            older.close();
            newer.close();

            assertThat(ssh.idleSessions()).isEqualTo(1);
            await().atMost(SETTLE).until(() -> relay.openConnections() == 0);
            assertThat(newerRelay.openConnections()).isEqualTo(1);
        }
    }

    @Test
    void closingTheTransportClosesIdleConnections() {
        SshTransport ssh = transport();
        ssh.connect(throughRelay()).close();
        assertThat(relay.openConnections()).isEqualTo(1);

        ssh.close();

        await().atMost(SETTLE).until(() -> relay.openConnections() == 0);
        assertThat(ssh.idleSessions()).isZero();
    }
}
