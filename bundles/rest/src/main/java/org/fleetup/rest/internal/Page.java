package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.fleetup.api.FleetupException;

/**
 * One page of a list, alike for every resource: {@code offset} (from 0), {@code limit} (default
 * {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}) and {@code sort=field:ASC|DESC} over the fields the resource
 * names. A bad value is refused, never bent into a good one: a client that asked for 1,000 items must not silently
 * get 500.
 *
 * @param items the items of this page
 * @param offset where this page starts in the whole sorted list
 * @param limit the most items a page holds
 * @param total how many items the whole list holds
 * @param sort the order, {@code field:ASC} or {@code field:DESC}
 */
public record Page<T>(List<T> items, int offset, int limit, int total, String sort) {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    public Page {
        items = List.copyOf(items);
    }

    /**
     * The page of {@code all} that the request's parameters ask for.
     *
     * @param offset the {@code offset} parameter as sent, or {@code null}
     * @param limit the {@code limit} parameter as sent, or {@code null}
     * @param sort the {@code sort} parameter as sent, or {@code null} for {@code defaultSort}
     * @param fields the sortable fields of the resource, by name
     * @param defaultSort the order when none is asked, e.g. {@code name:ASC}
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} for an offset, a limit or a sort that is not one
     */
    static <T> Page<T> of(List<T> all, String offset, String limit, String sort,
                          Map<String, Comparator<? super T>> fields, String defaultSort) {
        int from = number("offset", offset, 0, 0, Integer.MAX_VALUE);
        int size = number("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
        String order = sort == null || sort.isBlank() ? defaultSort : sort.strip();
        Comparator<? super T> comparator = comparator(order, fields);
        List<T> sorted = all.stream().sorted(comparator).toList();
        int start = Math.min(from, sorted.size());
        int end = (int) Math.min((long) start + size, sorted.size());
        return new Page<>(sorted.subList(start, end), from, size, sorted.size(), order);
    }

    private static int number(String name, String text, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // told below, with the range
        }
        throw new FleetupException(FleetupException.INVALID_INPUT, "'" + name + "' must be a whole number from " + min
                + " to " + max + ", not '" + text + "'.");
    }

    private static <T> Comparator<? super T> comparator(String sort, Map<String, Comparator<? super T>> fields) {
        String[] parts = sort.split(":", -1);
        String direction = parts.length == 2 ? parts[1].toUpperCase(Locale.ROOT) : "";
        Comparator<? super T> field = parts.length <= 2 ? fields.get(parts[0]) : null;
        if (field == null || !(parts.length == 1 || direction.equals("ASC") || direction.equals("DESC"))) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "'sort' must be FIELD:ASC or FIELD:DESC with"
                    + " FIELD one of " + String.join(", ", new TreeMap<>(fields).keySet()) + ", not '" + sort + "'.");
        }
        return direction.equals("DESC") ? field.reversed() : field;
    }
}
