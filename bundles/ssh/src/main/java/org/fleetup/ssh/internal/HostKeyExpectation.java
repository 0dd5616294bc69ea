package org.fleetup.ssh.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.Map;
import java.util.Optional;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/**
 * The host key a server must present, as trusted of it ({@link org.fleetup.api.inventory.ServerTrust}): an OpenSSH
 * public key line ({@code ecdsa-sha2-nistp256 AAAA...}), or a fingerprint ({@code SHA256:...}) when only that was
 * trusted, or nothing, in which case no key is ever accepted.
 */
public final class HostKeyExpectation {

    private static final HostKeyExpectation UNKNOWN = new HostKeyExpectation(null, null);

    private final PublicKey key;
    private final String fingerprint;

    private HostKeyExpectation(PublicKey key, String fingerprint) {
        this.key = key;
        this.fingerprint = fingerprint;
    }

    /** @param hostKey what is trusted of {@code server}, or {@code null} for nothing */
    public static HostKeyExpectation of(Server server, String hostKey) {
        if (hostKey == null || hostKey.isBlank()) {
            return UNKNOWN;
        }
        String trimmed = hostKey.strip();
        if (isFingerprint(trimmed)) {
            return new HostKeyExpectation(null, trimmed);
        }
        try {
            PublicKey parsed = PublicKeyEntry.parsePublicKeyEntry(trimmed)
                    .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING);
            return new HostKeyExpectation(parsed, KeyUtils.getFingerPrint(parsed));
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The trusted host key of server "
                    + server.name() + " is neither an OpenSSH public key line ('ecdsa-sha2-nistp256 AAAA...') nor a"
                    + " fingerprint ('SHA256:...'): " + e.getMessage() + ". Record it again with fleet:server-trust.",
                    e);
        }
    }

    private static boolean isFingerprint(String value) {
        return (value.startsWith("SHA256:") || value.startsWith("MD5:")) && !value.contains(" ");
    }

    public boolean isKnown() {
        return fingerprint != null;
    }

    /** The fingerprint of the expected key, as the operator trusted it; empty when none is known. */
    public Optional<String> fingerprint() {
        return Optional.ofNullable(fingerprint);
    }

    /** The type of the expected key ({@code ecdsa-sha2-nistp256}); empty when only a fingerprint or nothing is known. */
    public Optional<String> keyType() {
        return key == null ? Optional.empty() : Optional.of(KeyUtils.getKeyType(key));
    }

    public boolean matches(PublicKey presented) {
        if (key != null) {
            return KeyUtils.compareKeys(key, presented);
        }
        return fingerprint != null && KeyUtils.checkFingerPrint(fingerprint, presented).getKey();
    }
}
