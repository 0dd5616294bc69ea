package org.fleetup.scheduling.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;

/**
 * Reads a time as an operator writes it: {@code now}, a time of day, a local date-time or an instant; and refuses a
 * date-time that has passed or lies beyond the horizon, the likely marks of a typo in the year.
 */
final class OperatorTime {

    /** A date-time as written, its year apart from the rest. */
    private static final Pattern YEAR_FIRST = Pattern.compile("[+-]?\\d{4,}(-.*)");

    private static final DateTimeFormatter SHOWN = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

    private final Clock clock;
    private final int maxDaysAhead;

    /**
     * @param clock tells the present, in the zone that times of day and local date-times are read in
     * @param maxDaysAhead how far ahead a time may lie
     */
    OperatorTime(Clock clock, int maxDaysAhead) {
        if (maxDaysAhead < 1) {
            throw new FleetupException(FleetupException.TIME_INVALID, "maxDaysAhead of "
                    + ExecutorScheduler.PID + " is " + maxDaysAhead + "; set it to 1 or more.");
        }
        this.clock = clock;
        this.maxDaysAhead = maxDaysAhead;
    }

    ZoneId zone() {
        return clock.getZone();
    }

    /** Reads {@code when} without judging it: {@link #resolve} does both. */
    Instant parse(String when) {
        return read(when).instant();
    }

    /**
     * @param source where {@code when} came from when the operator did not write it, for the message, or {@code null}
     */
    Instant resolve(String when, String source) {
        Read read = read(when);
        if (read.dateTime() != null) {
            check(read.instant(), "'" + when.strip() + "'" + (source == null ? "" : " (" + source + ")"), read);
        }
        return read.instant();
    }

    /** Checks an instant a program gave, as a date-time an operator wrote is checked. */
    Instant check(Instant at) {
        check(at, at.toString(), null);
        return at;
    }

    /** {@code at} in the zone, as the console shows it: {@code 2026-12-01 03:00:00 Europe/Paris}. */
    String show(Instant at) {
        try {
            return SHOWN.format(at.atZone(zone())) + " " + zone();
        } catch (DateTimeException beyondTheCalendar) {
            return at.toString();
        }
    }

    /**
     * What was read: the instant, and the date-time as written when it was one ({@code null} for now and 03:00, which
     * are never past nor far).
     *
     * @param text as written
     */
    private record Read(Instant instant, ZonedDateTime dateTime, String text) {
    }

    private Read read(String when) {
        String text = when.strip();
        if (text.toLowerCase(Locale.ROOT).equals("now")) {
            return new Read(clock.instant(), null, text);
        }
        try {
            return new Read(nextTimeOfDay(LocalTime.parse(text, DateTimeFormatter.ISO_LOCAL_TIME)), null, text);
        } catch (DateTimeParseException notATimeOfDay) {
            try {
                TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from,
                        LocalDateTime::from);
                ZonedDateTime dateTime = parsed instanceof ZonedDateTime zoned
                        ? zoned
                        : ((LocalDateTime) parsed).atZone(zone());
                return new Read(dateTime.toInstant(), dateTime, text);
            } catch (DateTimeException e) {
                throw invalid(when, e);
            }
        }
    }

    /** The next time the clock shows {@code time}: today when it is still to come, else tomorrow. */
    private Instant nextTimeOfDay(LocalTime time) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.now(clock);
        Instant todays = today.atTime(time).atZone(zone()).toInstant();
        return todays.isAfter(now) ? todays : today.plusDays(1).atTime(time).atZone(zone()).toInstant();
    }

    /**
     * @param written the date-time as written, to guess the year meant from; {@code null} for an instant a program gave
     */
    private void check(Instant at, String what, Read written) {
        Instant now = clock.instant();
        if (at.isBefore(now)) {
            throw new FleetupException(FleetupException.TIME_INVALID, what + " has passed: it is " + show(at)
                    + ", and now is " + show(now) + "." + guess(written, now).map(g -> " Did you mean " + g + "?")
                    .orElse("") + " Give a time to come, or now to start at once.");
        }
        // Days between instants, not a Duration in nanoseconds: those overflow 292 years ahead.
        long daysAhead = ChronoUnit.SECONDS.between(now, at) / 86_400;
        if (daysAhead >= maxDaysAhead) {
            throw new FleetupException(FleetupException.TIME_INVALID, String.format(Locale.ROOT, "%s is %,d days"
                    + " ahead (%s): Fleetup schedules at most %d days ahead (maxDaysAhead of %s).%s Fix the time, or"
                    + " raise maxDaysAhead if you mean it.", what, daysAhead, show(at), maxDaysAhead,
                    ExecutorScheduler.PID, guess(written, now).map(g -> " Did you mean " + g + "?").orElse("")));
        }
    }

    /**
     * The same date and time in the first year that has it to come, written as the operator wrote it: what a typo in
     * the year most likely meant. Empty for a year that is this one or the next, which is no typo.
     */
    private Optional<String> guess(Read written, Instant now) {
        if (written == null) {
            return Optional.empty();
        }
        ZonedDateTime dateTime = written.dateTime();
        int thisYear = now.atZone(dateTime.getZone()).getYear();
        if (dateTime.getYear() == thisYear || dateTime.getYear() == thisYear + 1) {
            return Optional.empty();
        }
        Matcher yearFirst = YEAR_FIRST.matcher(written.text());
        for (int year = thisYear; year <= thisYear + 1 && yearFirst.matches(); year++) {
            ZonedDateTime candidate = dateTime.withYear(year);
            if (candidate.getDayOfMonth() == dateTime.getDayOfMonth() && candidate.toInstant().isAfter(now)
                    && ChronoUnit.SECONDS.between(now, candidate.toInstant()) / 86_400 < maxDaysAhead) {
                return Optional.of(year + yearFirst.group(1));
            }
        }
        return Optional.empty();
    }

    private FleetupException invalid(String when, DateTimeException cause) {
        return new FleetupException(FleetupException.TIME_INVALID, "'" + when + "' is not a time Fleetup reads. Write"
                + " now; a time of day such as 03:00 or 03:00:30 (the next one to come, " + zone() + "); a date and"
                + " time such as 2026-12-01T03:00 (" + zone() + "); or an instant such as 2026-12-01T03:00:00Z or"
                + " 2026-12-01T03:00:00+01:00.", cause);
    }
}
