package org.fleetup.scheduling.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

import org.fleetup.api.FleetupException;

/**
 * Reads a time as an operator writes it: {@code now}, a time of day, a local date-time or an instant.
 */
final class OperatorTime {

    private final Clock clock;

    /** @param clock tells the present, in the zone that times of day and local date-times are read in */
    OperatorTime(Clock clock) {
        this.clock = clock;
    }

    ZoneId zone() {
        return clock.getZone();
    }

    Instant resolve(String when) {
        String text = when.strip();
        if (text.toLowerCase(Locale.ROOT).equals("now")) {
            return clock.instant();
        }
        try {
            return nextTimeOfDay(LocalTime.parse(text, DateTimeFormatter.ISO_LOCAL_TIME));
        } catch (DateTimeParseException notATimeOfDay) {
            try {
                TemporalAccessor parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(text, ZonedDateTime::from,
                        LocalDateTime::from);
                return parsed instanceof ZonedDateTime zoned
                        ? zoned.toInstant()
                        : ((LocalDateTime) parsed).atZone(zone()).toInstant();
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

    private FleetupException invalid(String when, DateTimeException cause) {
        return new FleetupException(FleetupException.TIME_INVALID, "'" + when + "' is not a time Fleetup reads. Write"
                + " now; a time of day such as 03:00 or 03:00:30 (the next one to come, " + zone() + "); a date and"
                + " time such as 2026-12-01T03:00 (" + zone() + "); or an instant such as 2026-12-01T03:00:00Z or"
                + " 2026-12-01T03:00:00+01:00.", cause);
    }
}
