package org.fleetup.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.digest.DigestUtils;
import org.fleetup.api.inspection.Inspection;

/** How values look in the console. */
final class Formats {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private Formats() {
    }

    static String time(Instant instant) {
        return instant == null ? "" : TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    static String duration(Duration duration) {
        return duration == null ? "" : String.format("%.2f s", duration.toMillis() / 1000.0);
    }

    static String version(Inspection inspection) {
        return inspection.status() == Inspection.Status.OK ? inspection.version() : inspection.status().name();
    }

    /**
     * {@code SHA256:...} of an OpenSSH public key line, as {@code ssh-keygen -l} shows it, or the line itself when it
     * cannot be read. Computed from the key's bytes, so that it needs no crypto provider for the key's type.
     */
    static String fingerprint(String hostKey) {
        try {
            return DigestUtils.getFingerPrint(BuiltinDigests.sha256,
                    PublicKeyEntry.parsePublicKeyEntry(hostKey).getKeyData());
        } catch (Exception e) {
            return hostKey;
        }
    }

    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024 * 1024) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
}
