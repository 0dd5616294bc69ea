package org.fleetup.comparison.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versions that are dates, as firmware and BIOS vendors often write them: {@code 2026-11-24}, {@code 2026.11.24} or
 * {@code 20261124}, optionally with an ISO time ({@code T03:00}, {@code T03:00:15.5}, {@code T030015}) and offset
 * ({@code Z}, {@code +01:00}). Ordered in time; a version without an offset is read as UTC and a date alone as its
 * first instant, so {@code 2026-11-24 == 20261124 == 2026-11-24T00:00Z}. The date must exist on the calendar.
 */
final class DateVersionScheme extends ParsedVersionScheme<Instant> {

    static final String NAME = "date";

    private static final Pattern DATE_TIME = Pattern.compile(
            "(\\d{4})([-.]?)(\\d{2})\\2(\\d{2})"
                    + "(?:T(\\d{2})(:?)(\\d{2})(?:\\6(\\d{2})(?:[.,](\\d{1,9}))?)?(Z|[+-]\\d{2}(?::?\\d{2})?)?)?");

    DateVersionScheme() {
        super(NAME, "a date version (e.g. 2026-11-24, 2026.11.24, 20261124 or 2026-11-24T03:00Z)");
    }

    @Override
    Optional<Instant> parse(String version) {
        Matcher matcher = DATE_TIME.matcher(version);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            LocalDate date = LocalDate.of(number(matcher, 1), number(matcher, 3), number(matcher, 4));
            LocalTime time = matcher.group(5) == null ? LocalTime.MIDNIGHT
                    : LocalTime.of(number(matcher, 5), number(matcher, 7), number(matcher, 8), nanos(matcher.group(9)));
            ZoneOffset offset = matcher.group(10) == null ? ZoneOffset.UTC : ZoneOffset.of(matcher.group(10));
            return Optional.of(LocalDateTime.of(date, time).toInstant(offset));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    @Override
    int compareParsed(Instant a, Instant b) {
        return a.compareTo(b);
    }

    private static int number(Matcher matcher, int group) {
        String digits = matcher.group(group);
        return digits == null ? 0 : Integer.parseInt(digits);
    }

    private static int nanos(String fraction) {
        return fraction == null ? 0 : Integer.parseInt((fraction + "00000000").substring(0, 9));
    }
}
