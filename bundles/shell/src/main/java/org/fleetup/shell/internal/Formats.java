package org.fleetup.shell.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;

/** How values look in the console. */
final class Formats {

    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]{1,9})([smhd])");

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

    /** An estimate as people say it: {@code 45 s}, {@code 2 min 5 s}, {@code 3 h 20 min}. */
    static String approximately(Duration duration) {
        long seconds = Math.max(0, Math.round(duration.toMillis() / 1000.0));
        if (seconds < 60) {
            return seconds + " s";
        }
        if (seconds < 3600) {
            return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
        }
        long minutes = (seconds + 30) / 60;
        return minutes / 60 + " h" + (minutes % 60 == 0 ? "" : " " + minutes % 60 + " min");
    }

    static String version(Inspection inspection) {
        return inspection.status() == Inspection.Status.OK ? inspection.version() : inspection.status().name();
    }

    /**
     * {@code SHA256:...} of an OpenSSH public key line, as {@code ssh-keygen -l} shows it (the SHA-256 of the key's
     * bytes), or the line itself when it is not one: a key whose bytes do not begin with the type the line names.
     * Computed from the bytes alone, so that the console needs no SSH library and no crypto provider for the type.
     */
    static String fingerprint(String hostKey) {
        String[] fields = hostKey == null ? new String[0] : hostKey.strip().split("\\s+");
        if (fields.length < 2) {
            return hostKey;
        }
        try {
            byte[] blob = Base64.getDecoder().decode(fields[1]);
            ByteBuffer buffer = ByteBuffer.wrap(blob);
            byte[] type = new byte[buffer.getInt()];
            buffer.get(type);
            if (!fields[0].equals(new String(type, StandardCharsets.US_ASCII))) {
                return hostKey;
            }
            return "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(blob));
        } catch (IllegalArgumentException | BufferUnderflowException | NegativeArraySizeException
                | NoSuchAlgorithmException e) {
            return hostKey;
        }
    }

    /**
     * An operator's duration: {@code 90s}, {@code 30m}, {@code 6h}, {@code 2d}, or ISO-8601 ({@code PT6H}).
     *
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} naming the option when it is not one, or not
     *         positive
     */
    static Duration parseDuration(String option, String text) {
        Matcher compact = SHORT_DURATION.matcher(text == null ? "" : text.strip());
        Duration duration;
        try {
            duration = compact.matches()
                    ? Duration.of(Long.parseLong(compact.group(1)), switch (compact.group(2)) {
                        case "s" -> ChronoUnit.SECONDS;
                        case "m" -> ChronoUnit.MINUTES;
                        case "h" -> ChronoUnit.HOURS;
                        default -> ChronoUnit.DAYS;
                    })
                    : Duration.parse(text.strip());
        } catch (RuntimeException e) {
            duration = null;
        }
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, option + " '" + text + "' is not a positive "
                    + "duration: write it as 90s, 30m, 6h, 2d or PT6H.");
        }
        return duration;
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
