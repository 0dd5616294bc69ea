package org.fleetup.ssh;

import static org.fleetup.testing.ServerTrusts.trusted;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.io.file.PathUtils;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.SimulatedFleet;

/**
 * Prints what an SSH handshake costs per key type, and what its public-key operations cost alone, with the security
 * providers MINA SSHD picks on this class path (BouncyCastle or the JDK's). Not a test: a measurement to read. Run
 * with the test class path, plus bcprov-jdk18on to see what Karaf's BouncyCastle changes:
 * {@code java -cp target/test-classes:target/classes:<test deps>[:bcprov.jar] org.fleetup.ssh.HandshakeTimes 200}
 */
public final class HandshakeTimes {

    private static final ServerTrust TRUST = ServerTrust.inMemory();

    private static final int WARM_UP = 50;
    private static final int PRIMITIVE_ROUNDS = 2000;
    private static final byte[] DATA = "an exchange hash stands in here".getBytes(StandardCharsets.UTF_8);

    private HandshakeTimes() {
    }

    public static void main(String[] args) throws Exception {
        int connects = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        boolean eddsa = SecurityUtils.isEDDSACurveSupported();
        System.out.printf(Locale.ROOT, "java %s, BouncyCastle registered: %s, ed25519 supported: %s%n",
                System.getProperty("java.version"), SecurityUtils.isBouncyCastleRegistered(), eddsa);
        System.out.printf(Locale.ROOT, "providers: SHA256withECDSA=%s, X25519=%s, SHA512withRSA=%s%n",
                SecurityUtils.getSignature("SHA256withECDSA").getProvider().getName(),
                SecurityUtils.getKeyAgreement("X25519").getProvider().getName(),
                SecurityUtils.getSignature("SHA512withRSA").getProvider().getName());

        System.out.println("\npublic-key operations, microseconds each (" + PRIMITIVE_ROUNDS + " rounds):");
        primitive("ecdsa-sha2-nistp256", KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256),
                BuiltinSignatures.nistp256);
        primitive("rsa-sha2-512 (3072)", KeyUtils.generateKeyPair(KeyPairProvider.SSH_RSA, 3072),
                BuiltinSignatures.rsaSHA512);
        if (eddsa) {
            primitive("ssh-ed25519", KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256),
                    BuiltinSignatures.ed25519);
        }

        Path directory = Files.createTempDirectory("fleetup-handshakes");
        try {
            handshakes(directory, connects, eddsa);
        } finally {
            PathUtils.deleteDirectory(directory);
        }
    }

    private static void handshakes(Path directory, int connects, boolean eddsa) throws Exception {
        List<String[]> keyTypes = new ArrayList<>();
        keyTypes.add(new String[] {KeyPairProvider.ECDSA_SHA2_NISTP256, "256"});
        keyTypes.add(new String[] {KeyPairProvider.SSH_RSA, "3072"});
        if (eddsa) {
            keyTypes.add(new String[] {KeyPairProvider.SSH_ED25519, "256"});
        }
        System.out.println("\nhandshakes (connect, host key check, key login, close), " + connects
                + " sequential; CPU is the whole process, client and server:");
        System.out.printf(Locale.ROOT, "%-36s %-20s %7s  %7s%n", "host key", "client key", "wall ms", "CPU ms");
        try (SimulatedFleet fleet = new SimulatedFleet(directory.resolve("fleet"))) {
            SimulatedHost host = fleet.start("bench", List.of(new HostSpec("1.0.0", Set.of()))).get(0);
            measure("simulator (ecdsa)", "ecdsa-sha2-nistp256", fleet.server(host), connects, Duration.ZERO);
            measure("simulator (ecdsa)", "same, reused", fleet.server(host), connects, Duration.ofSeconds(30));
        }
        for (String[] clientType : keyTypes) {
            KeyPair client = KeyUtils.generateKeyPair(clientType[0], Integer.parseInt(clientType[1]));
            Path clientKey = writePrivateKey(client, directory.resolve("client-" + clientType[0]));
            for (String[] hostType : keyTypes) {
                KeyPair hostKey = KeyUtils.generateKeyPair(hostType[0], Integer.parseInt(hostType[1]));
                measureOn(hostKey, client, clientKey, null, hostType[0] + "-" + hostType[1], clientType[0],
                        connects);
            }
        }
        System.out.println("\nkey exchanges, ecdsa-sha2-nistp256 host and client keys:");
        KeyPair hostKey = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        KeyPair client = KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
        Path clientKey = writePrivateKey(client, directory.resolve("client-kex"));
        for (BuiltinDHFactories kex : List.of(BuiltinDHFactories.sntrup761x25519, BuiltinDHFactories.mlkem768x25519,
                BuiltinDHFactories.curve25519, BuiltinDHFactories.ecdhp256)) {
            if (kex.isSupported()) {
                measureOn(hostKey, client, clientKey, kex, "ecdsa (" + kex.getName() + ")", "ecdsa", connects);
            }
        }
    }

    private static void measureOn(KeyPair hostKey, KeyPair client, Path clientKey, BuiltinDHFactories onlyKex,
                                  String hostLabel, String clientLabel, int connects) throws IOException {
        AtomicReference<String> negotiated = new AtomicReference<>();
        SshServer server = start(hostKey, client.getPublic(), onlyKex, negotiated);
        try {
            Server record = trusted(TRUST, new Server("bench", null, URI.create("ssh://127.0.0.1:" + server.getPort()),
                    LoginSettings.of("fleetup", clientKey.toString()), null),
                            PublicKeyEntry.toString(hostKey.getPublic()));
            measure(hostLabel, clientLabel, record, connects, Duration.ZERO);
            System.out.println("    key exchange: " + negotiated.get());
        } finally {
            server.stop(true);
        }
    }

    private static void measure(String hostKey, String clientKey, Server record, int connects, Duration reuse) {
        try (SshTransport transport = new SshTransport(SshSettings.defaults().withSessionReuse(reuse, 16), TRUST)) {
            for (int i = 0; i < WARM_UP; i++) {
                transport.connect(record).close();
            }
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            for (int i = 0; i < connects; i++) {
                transport.connect(record).close();
            }
            double wall = (System.nanoTime() - start) / 1e6 / connects;
            double used = (processCpuNanos() - cpu) / 1e6 / connects;
            System.out.printf(Locale.ROOT, "%-36s %-20s %7.2f  %7.2f%n", hostKey, clientKey, wall, used);
        }
    }

    private static void primitive(String name, KeyPair keys, BuiltinSignatures algorithm) throws Exception {
        Signature signer = algorithm.create();
        signer.initSigner(null, keys.getPrivate());
        byte[] signature = null;
        for (int i = 0; i < PRIMITIVE_ROUNDS / 4; i++) {
            signer.update(null, DATA);
            signature = signer.sign(null);
        }
        long start = System.nanoTime();
        for (int i = 0; i < PRIMITIVE_ROUNDS; i++) {
            signer.update(null, DATA);
            signature = signer.sign(null);
        }
        double sign = (System.nanoTime() - start) / 1e3 / PRIMITIVE_ROUNDS;
        Signature verifier = algorithm.create();
        verifier.initVerifier(null, keys.getPublic());
        boolean valid = true;
        for (int i = 0; i < PRIMITIVE_ROUNDS / 4; i++) {
            verifier.update(null, DATA);
            valid &= verifier.verify(null, signature);
        }
        start = System.nanoTime();
        for (int i = 0; i < PRIMITIVE_ROUNDS; i++) {
            verifier.update(null, DATA);
            valid &= verifier.verify(null, signature);
        }
        double verify = (System.nanoTime() - start) / 1e3 / PRIMITIVE_ROUNDS;
        System.out.printf(Locale.ROOT, "%-22s sign %8.1f   verify %8.1f%s%n", name, sign, verify,
                valid ? "" : "   (VERIFY FAILED)");
    }

    private static SshServer start(KeyPair hostKey, PublicKey authorized, BuiltinDHFactories onlyKex,
                                   AtomicReference<String> negotiated) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        if (onlyKex != null) {
            server.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(false, List.of(onlyKex),
                    ServerBuilder.DH2KEX));
        }
        server.addSessionListener(new SessionListener() {
            @Override
            public void sessionNegotiationEnd(org.apache.sshd.common.session.Session session,
                    Map<KexProposalOption, String> clientProposal, Map<KexProposalOption, String> serverProposal,
                    Map<KexProposalOption, String> negotiatedOptions, Throwable reason) {
                negotiated.set(negotiatedOptions.get(KexProposalOption.ALGORITHMS));
            }
        });
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(authorized, key));
        server.start();
        return server;
    }

    private static Path writePrivateKey(KeyPair keys, Path file) throws IOException, GeneralSecurityException {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keys, "bench", (OpenSSHKeyEncryptionContext) null,
                    out);
        }
        // Read back as the transport will, to fail here rather than in the middle of the figures.
        PublicKeyEntry.parsePublicKeyEntry(PublicKeyEntry.toString(keys.getPublic()))
                .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
        return file;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
