package org.fleetup.routes.internal;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;

/**
 * When servers may be started: on some days of the week, from a time of day, for a duration, in a zone; as an operator
 * writes it on one line, {@code Mon-Fri 02:00 3h Europe/Paris}. A window may run past midnight ({@code Sat 22:00 6h})
 * and its days may wrap ({@code Fri-Mon}). The times are those of the zone's wall clock, daylight saving included.
 *
 * @param days the days a window starts on
 * @param start when it opens on those days
 * @param length how long it stays open
 * @param zone whose wall clock {@code start} is read on
 * @param text as configured
 */
record MaintenanceWindow(Set<DayOfWeek> days, LocalTime start, Duration length, ZoneId zone, String text) {

    static final String SYNTAX = "DAYS HH:MM DURATION ZONE, e.g. 'Mon-Fri 02:00 3h Europe/Paris' (DAYS: Mon..Sun,"
            + " ranges and commas, or * for every day; DURATION: 3h, 90m, 1h30m, at most 7 days; ZONE: a region such"
            + " as Europe/Paris, or UTC)";

    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,3})h)?(?:(\\d{1,5})m)?");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm")
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Duration LONGEST = Duration.ofDays(7);

    MaintenanceWindow {
        days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
    }

    /**
     * Reads a window, strictly: a part missing, left over or not understood is refused.
     *
     * @param key where it was configured, named in the error
     * @throws FleetupException {@link FleetupException#TIME_INVALID} naming {@code key}, the part and the syntax
     */
    static MaintenanceWindow parse(String key, String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 4) {
            throw invalid(key, text, "it has " + (text.isBlank() ? 0 : parts.length) + " parts where 4 are needed");
        }
        Set<DayOfWeek> days = days(key, text, parts[0]);
        LocalTime start;
        try {
            start = LocalTime.parse(parts[1], TIME);
        } catch (DateTimeParseException e) {
            throw invalid(key, text, "'" + parts[1] + "' is not a time of day HH:MM");
        }
        Duration length = length(key, text, parts[2]);
        ZoneId zone;
        try {
            zone = ZoneId.of(parts[3]);
        } catch (DateTimeException e) {
            throw invalid(key, text, "'" + parts[3] + "' is not a time zone");
        }
        return new MaintenanceWindow(days, start, length, zone, text.trim());
    }

    private static Set<DayOfWeek> days(String key, String text, String field) {
        if (field.equals("*")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String item : field.split(",", -1)) {
            String[] range = item.split("-", -1);
            if (range.length > 2) {
                throw invalid(key, text, "'" + item + "' is not a day or a range of days");
            }
            DayOfWeek first = day(key, text, range[0]);
            DayOfWeek last = range.length == 2 ? day(key, text, range[1]) : first;
            // A range may wrap past Sunday: Fri-Mon is Friday to Monday.
            for (DayOfWeek day = first; ; day = day.plus(1)) {
                days.add(day);
                if (day == last) {
                    break;
                }
            }
        }
        return days;
    }

    private static DayOfWeek day(String key, String text, String name) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().substring(0, 3).equalsIgnoreCase(name)) {
                return day;
            }
        }
        throw invalid(key, text, "'" + name + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
    }

    private static Duration length(String key, String text, String field) {
        Matcher matcher = DURATION.matcher(field.toLowerCase(Locale.ROOT));
        if (!matcher.matches() || field.isEmpty()) {
            throw invalid(key, text, "'" + field + "' is not a duration such as 3h, 90m or 1h30m");
        }
        Duration length = Duration.ofHours(matcher.group(1) == null ? 0 : Long.parseLong(matcher.group(1)))
                .plusMinutes(matcher.group(2) == null ? 0 : Long.parseLong(matcher.group(2)));
        if (length.isZero() || length.compareTo(LONGEST) > 0) {
            throw invalid(key, text, "its duration " + field + " is not between 1 minute and 7 days");
        }
        return length;
    }

    private static FleetupException invalid(String key, String text, String why) {
        return new FleetupException(FleetupException.TIME_INVALID, "Maintenance window " + key + " = '" + text
                + "' cannot be read: " + why + ". Write it as " + SYNTAX + ", or leave it empty for always open.");
    }

    /** Whether servers may be started at {@code at}. */
    boolean isOpen(Instant at) {
        LocalDate today = at.atZone(zone).toLocalDate();
        // A window opened on an earlier day may still be open: look back as far as the longest one lasts.
        for (LocalDate day = today.minusDays(length.toDays() + 1); !day.isAfter(today); day = day.plusDays(1)) {
            if (days.contains(day.getDayOfWeek())) {
                Instant opens = opening(day);
                if (!opens.isAfter(at) && at.isBefore(opens.plus(length))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The next time it opens, {@code at} itself when it is open then. */
    Instant nextOpening(Instant at) {
        if (isOpen(at)) {
            return at;
        }
        LocalDate today = at.atZone(zone).toLocalDate();
        for (LocalDate day = today; ; day = day.plusDays(1)) {
            if (days.contains(day.getDayOfWeek()) && opening(day).isAfter(at)) {
                return opening(day);
            }
        }
    }

    /** When it opens on {@code day}: in a daylight-saving gap, as much later as the clocks jump. */
    private Instant opening(LocalDate day) {
        return ZonedDateTime.of(day, start, zone).toInstant();
    }

    @Override
    public String toString() {
        return text;
    }
}
