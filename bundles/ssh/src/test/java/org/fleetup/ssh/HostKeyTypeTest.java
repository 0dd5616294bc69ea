package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server with host keys of several types presents the type its record holds, as with OpenSSH's known_hosts: a
 * healthy server is never refused because the client would have preferred another of its keys.
 */
class HostKeyTypeTest {

    private static final ServerTrust TRUST = ServerTrust.inMemory();

    private static final int RSA_BITS = 2048;
    private static final int EC_BITS = 256;

    @TempDir
    static Path directory;

    private static KeyPair ecdsaHostKey;
    private static KeyPair rsaHostKey;
    private static SshServer server;
    private static Path clientKey;
    private static SshTransport transport;

    @BeforeAll
    static void startServer() throws Exception {
        try (SimulatedFleet keys = new SimulatedFleet(directory)) {
            clientKey = keys.clientKey();
        }
        ecdsaHostKey = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, EC_BITS);
        rsaHostKey = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, RSA_BITS);
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        // The order a server lists its keys in does not matter: the client's proposal decides.
        server.setKeyPairProvider(KeyPairProvider.wrap(ecdsaHostKey, rsaHostKey));
        PublicKey authorized = PublicKeyEntry.parsePublicKeyEntry(
                Files.readString(clientKey.resolveSibling("client_key.pub")).strip())
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(authorized, key));
        server.start();
        transport = new SshTransport(SshSettings.defaults().withSessionReuse(Duration.ZERO, 1), TRUST);
    }

    @AfterAll
    static void stopServer() throws Exception {
        transport.close();
        server.stop(true);
    }

    private static Server recordedWith(KeyPair hostKey) {
        return trusted(TRUST, new Server("two-keys", null, URI.create("ssh://127.0.0.1:" + server.getPort()),
                LoginSettings.of("fleetup", clientKey.toString()), null), PublicKeyEntry.toString(hostKey.getPublic()));
    }

    @Test
    void serverRecordedWithItsEcdsaKeyIsReached() {
        try (Session session = transport.connect(recordedWith(ecdsaHostKey))) {
            assertThat(session.isOpen()).isTrue();
        }
    }

    /** The client's own preference puts ECDSA before RSA: without the record's say, this server would show ECDSA. */
    @Test
    void serverRecordedWithItsRsaKeyIsReached() {
        try (Session session = transport.connect(recordedWith(rsaHostKey))) {
            assertThat(session.isOpen()).isTrue();
        }
    }

    @Test
    void serverWithoutTheRecordedTypeIsRefusedAsChanged() throws Exception {
        KeyPair otherType = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP384, 384);

        assertThatThrownBy(() -> transport.connect(recordedWith(otherType)).close())
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.HOST_KEY_CHANGED))
                .hasMessageContaining(KeyUtils.getFingerPrint(ecdsaHostKey.getPublic()));
    }

    @Test
    void rsaKeyOfAnotherServerIsRefusedNamingThePresentedRsaKey() throws Exception {
        KeyPair stranger = KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, RSA_BITS);

        assertThatThrownBy(() -> transport.connect(recordedWith(stranger)).close())
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.HOST_KEY_CHANGED))
                .hasMessageContaining(KeyUtils.getFingerPrint(rsaHostKey.getPublic()));
    }

    @Test
    void clientsOwnPreferencePutsEcdsaBeforeRsa() {
        // Guards serverRecordedWithItsRsaKeyIsReached: were RSA preferred anyway, it would prove nothing.
        List<String> preference = SshClient.setUpDefaultClient().getSignatureFactoriesNames();
        assertThat(preference.indexOf(KeyPairProvider.ECDSA_SHA2_NISTP256))
                .isLessThan(preference.indexOf("rsa-sha2-512"));
    }
}
