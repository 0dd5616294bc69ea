package org.fleetup.shell.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.fleetup.api.FleetupException;

/** Host keys from an OpenSSH known_hosts file, hashed entries included, read with MINA SSHD's parser. */
final class KnownHosts implements BiFunction<String, Integer, String> {

    private final List<KnownHostEntry> entries;

    private KnownHosts(List<KnownHostEntry> entries) {
        this.entries = entries;
    }

    static BiFunction<String, Integer, String> none() {
        return (host, port) -> null;
    }

    static KnownHosts read(Path file) {
        try {
            return new KnownHosts(KnownHostEntry.readKnownHostEntries(file));
        } catch (IOException | RuntimeException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "Cannot read the known_hosts file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key for a host and port in OpenSSH form ({@code ecdsa-sha2-nistp256 AAAA...}), or {@code null}. */
    @Override
    public String apply(String host, Integer port) {
        return entries.stream()
                .filter(entry -> entry.getMarker() == null && entry.isHostMatch(host, port))
                .findFirst()
                .map(KnownHosts::key)
                .orElse(null);
    }

    private static String key(KnownHostEntry entry) {
        try {
            PublicKey key = entry.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
            return PublicKeyEntry.toString(key);
        } catch (IOException | GeneralSecurityException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "A known_hosts line holds a key that cannot be read: " + entry.getConfigLine(), e);
        }
    }
}
