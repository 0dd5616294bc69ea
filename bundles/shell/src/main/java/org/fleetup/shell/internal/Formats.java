package org.fleetup.shell.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
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

    /** In {@code zone}, the zone operators' times are read in; the time as it is when the calendar cannot show it. */
    static String time(Instant instant, ZoneId zone) {
        if (instant == null) {
            return "";
        }
        try {
            return TIME.withZone(zone).format(instant.truncatedTo(ChronoUnit.SECONDS));
        } catch (DateTimeException beyondTheCalendar) {
            return instant.toString();
        }
    }

    /** {@code 2026-12-01 03:00:00 Europe/Paris}: for a time an operator must read right, such as a start time. */
    static String timeAndZone(Instant instant, ZoneId zone) {
        return time(instant, zone) + " " + zone;
    }

    static String duration(Duration duration) {
        return duration == null ? "" : String.format("%.2f s", duration.toMillis() / 1000.0);
    }

    static String version(Inspection inspection) {
        return inspection.status() == Inspection.Status.OK ? inspection.version() : inspection.status().name();
    }

    /** {@code SHA256:...} of an OpenSSH public key line, or the line itself when it cannot be read. */
    static String fingerprint(String hostKey) {
        try {
            return KeyUtils.getFingerPrint(PublicKeyEntry.parsePublicKeyEntry(hostKey)
                    .resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.FAILING));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
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
