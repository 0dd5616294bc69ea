package org.fleetup.ssh.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.sshd.client.ClientBuilder;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.BaseBuilder;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.fleetup.ssh.SshSettings;

/** Builds the one SSH client of a transport: strict host keys, key login only, nothing read from ~/.ssh. */
public final class ClientSetup {

    /**
     * AES-GCM first: with the CPU's AES instructions it is the fastest cipher a Java client has (MINA's default
     * puts chacha20-poly1305 first, which runs in plain Java here). The rest follow OpenSSH's own choices.
     */
    private static final List<BuiltinCiphers> CIPHER_PREFERENCE = List.of(
            BuiltinCiphers.aes128gcm,
            BuiltinCiphers.aes256gcm,
            BuiltinCiphers.aes128ctr,
            BuiltinCiphers.aes256ctr,
            BuiltinCiphers.cc20p1305_openssh);

    /**
     * The key exchange, cheapest safe first where BouncyCastle does the crypto (as in Karaf): ML-KEM-768 with X25519,
     * a post-quantum hybrid about as cheap as X25519 (OpenSSH 9.9+ offers it); then X25519 and the NIST curves; the
     * sntrup761 hybrid only last, for a server that offers nothing else: in BouncyCastle's Java it costs about 55 ms
     * of CPU per handshake, ten times a whole handshake otherwise (measured, bench/README.md). Without BouncyCastle
     * the post-quantum ones are left out and the exchange is X25519.
     */
    static final List<BuiltinDHFactories> KEX_PREFERENCE = Stream.concat(
            Stream.of(BuiltinDHFactories.mlkem768x25519),
            Stream.concat(
                    BaseBuilder.DEFAULT_KEX_PREFERENCE.stream().filter(kex -> kex != BuiltinDHFactories.mlkem768x25519
                            && kex != BuiltinDHFactories.sntrup761x25519
                            && kex != BuiltinDHFactories.sntrup761x25519_openssh),
                    Stream.of(BuiltinDHFactories.sntrup761x25519_openssh, BuiltinDHFactories.sntrup761x25519)))
            .toList();

    /**
     * What a connection reads into, held for its whole life: MINA's 32 KiB default was 32 of the 36 KB each idle
     * pooled connection cost the heap (after a plan of 1,000 servers, bench/README.md). What a server sends back is
     * small (answers, acknowledgements, window adjustments); a larger answer takes more reads.
     */
    private static final int READ_BUFFER_BYTES = 8 * 1024;
    private static final int HEARTBEATS_PER_IDLE_TIMEOUT = 4;
    private static final int HEARTBEATS_WITHOUT_REPLY = 3;

    private ClientSetup() {
    }

    public static SshClient newClient(SshSettings settings) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new ExpectedHostKeyVerifier());
        client.addSessionListener(new ExpectedHostKeyTypeFirst());
        // No ~/.ssh/config, no ~/.ssh/id_* keys: what a server record says is all that is used.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setCipherFactories(new ArrayList<>(NamedFactory.setUpBuiltinFactories(false, CIPHER_PREFERENCE)));
        // true: leave out what this class path cannot do (the post-quantum ones without BouncyCastle).
        client.setKeyExchangeFactories(NamedFactory.setUpTransformedFactories(true, KEX_PREFERENCE,
                ClientBuilder.DH2KEX));
        // Commands and their answers are small packets, one after another: Nagle's delay would hold each one back.
        CoreModuleProperties.TCP_NODELAY.set(client, true);
        CoreModuleProperties.NIO2_READ_BUFFER_SIZE.set(client, READ_BUFFER_BYTES);
        Duration idle = settings.idleTimeout();
        CoreModuleProperties.IDLE_TIMEOUT.set(client, idle);
        // Keep-alives that want a reply: a live server answers (which resets the idle clock, so a long quiet command
        // survives), a dead one is given up on after a few unanswered ones.
        Duration heartbeat = idle.dividedBy(HEARTBEATS_PER_IDLE_TIMEOUT);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, heartbeat.isZero() ? Duration.ofSeconds(1) : heartbeat);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, HEARTBEATS_WITHOUT_REPLY);
        return client;
    }
}
