package org.fleetup.transport.ssh.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.fleetup.transport.ssh.SshSettings;

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

    private static final int HEARTBEATS_PER_IDLE_TIMEOUT = 4;
    private static final int HEARTBEATS_WITHOUT_REPLY = 3;

    private ClientSetup() {
    }

    public static SshClient newClient(SshSettings settings) {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier(new ExpectedHostKeyVerifier());
        // No ~/.ssh/config, no ~/.ssh/id_* keys: what a server record says is all that is used.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        client.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        client.setCipherFactories(new ArrayList<>(NamedFactory.setUpBuiltinFactories(false, CIPHER_PREFERENCE)));
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
