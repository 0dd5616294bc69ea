package org.fleetup.api.rollout;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;

/**
 * The wave options of a rollout as an operator writes them, to the shell's {@code fleet:rollout-start} or in the REST
 * API's {@code POST /rollouts}: both read them here, so that both accept and refuse the same. Karaf's console (the
 * Felix gogo {@code Expander}) reads an unquoted {@code %} as the start of an arithmetic expression {@code %(...)} and refuses
 * {@code 25%} with "bad expression" before any command sees it; so a percentage is typed quoted ({@code '25%'}),
 * escaped ({@code 25\%}), or spelled {@code 25pct}, which needs neither.
 */
public final class WaveOptions {

    public static final String PERCENT_HELP = "a count (3) or a percentage: '25%' quoted, or 25pct (the console reads"
            + " a bare 25% as arithmetic)";

    private WaveOptions() {
    }

    public static RolloutOptions parse(String canary, String wave, String maxErrors, String onError, String order,
                                       int parallel, boolean force) {
        if (parallel < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "--parallel must be at least 1");
        }
        Size waveSize = size("--wave", wave, RolloutOptions.DEFAULT_WAVE);
        if (waveSize.value() < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "--wave " + wave + " takes no server: give at"
                    + " least 1, or a percentage from 1% (e.g. --wave '25%').");
        }
        return new RolloutOptions(size("--canary", canary, RolloutOptions.DEFAULT_CANARY), waveSize,
                size("--max-errors", maxErrors, RolloutOptions.DEFAULT_MAX_ERRORS),
                choice("--on-error", onError, OnError.class, OnError.PAUSE),
                choice("--order", order, ServerOrder.class, ServerOrder.SPEED), parallel, force);
    }

    /** {@code 3}, {@code 25%} or {@code 25pct}; {@code fallback} when not given. */
    public static Size size(String option, String text, Size fallback) {
        if (text == null) {
            return fallback;
        }
        String written = text.strip().toLowerCase(Locale.ROOT);
        if (written.endsWith("pct")) {
            written = written.substring(0, written.length() - 3) + "%";
        }
        try {
            return Size.parse(option, written);
        } catch (FleetupException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT, option + " '" + text + "' is neither a count"
                    + " of servers (3) nor a percentage from 0 to 100 ('25%' quoted, or 25pct).");
        }
    }

    public static <E extends Enum<E>> E choice(String option, String text, Class<E> type, E fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, text.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT, option + " '" + text + "' is none of "
                    + Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")) + ".");
        }
    }
}
