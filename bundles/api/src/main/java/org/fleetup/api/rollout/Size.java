package org.fleetup.api.rollout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;

/**
 * How many servers: a count ({@code 3}) or a share of a whole ({@code 25%}), as operators write it.
 *
 * @param value the count, or the percentage (1 to 100)
 * @param percent whether {@code value} is a percentage
 */
public record Size(int value, boolean percent) {

    private static final Pattern WRITTEN = Pattern.compile("\\s*([0-9]{1,9})\\s*(%?)\\s*");

    public Size {
        if (value < 0 || percent && value > 100) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "A size is a count of 0 or more, or a"
                    + " percentage from 0% to 100%, not " + value + (percent ? "%" : "") + ".");
        }
    }

    public static Size count(int count) {
        return new Size(count, false);
    }

    public static Size percent(int percent) {
        return new Size(percent, true);
    }

    /**
     * {@code 3} or {@code 25%}.
     *
     * @param option what the size is for, named in the message ({@code --wave})
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} naming the option
     */
    public static Size parse(String option, String text) {
        Matcher written = WRITTEN.matcher(text == null ? "" : text);
        if (!written.matches()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, option + " '" + text + "' is neither a count"
                    + " of servers (3) nor a percentage (25%).");
        }
        return new Size(Integer.parseInt(written.group(1)), !written.group(2).isEmpty());
    }

    /**
     * How many of {@code total}: a percentage is rounded up, so that {@code 10%} of 5 servers is 1, never 0 unless the
     * size is 0; never more than {@code total}.
     */
    public int of(int total) {
        long count = percent ? ((long) total * value + 99) / 100 : value;
        return (int) Math.min(total, count);
    }

    @Override
    public String toString() {
        return value + (percent ? "%" : "");
    }
}
