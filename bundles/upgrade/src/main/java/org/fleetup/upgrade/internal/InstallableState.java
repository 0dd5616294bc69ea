package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.fleetup.api.transport.CommandResult;

/**
 * Whether a server can take a release now: no busy marker, and room in the application root's file system for the
 * release unpacked. Read by one POSIX command ({@code df -P -k} prints the same one line per file system on GNU and
 * BusyBox), so that a server that cannot take it is waited for, or left, before a byte is sent.
 */
final class InstallableState {

    /** How long to wait for a server to become installable, and how much room a release needs. */
    record Limits(Duration budget, Duration firstBackOff, Duration maxBackOff, double spaceFactor) {

        /** 300 s in all, checked again after 2 s, then twice as long each time up to 30 s; 3 × the artifact. */
        static final Limits DEFAULTS = new Limits(Duration.ofSeconds(300), Duration.ofSeconds(2),
                Duration.ofSeconds(30), 3);

        Limits {
            if (budget.isNegative() || firstBackOff.isNegative() || firstBackOff.isZero()
                    || maxBackOff.compareTo(firstBackOff) < 0 || !(spaceFactor > 0)) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "The installable-state wait needs a "
                        + "budget of 0 s or more, a first back-off above 0 s, a longest back-off not below the first, "
                        + "and a space factor above 0; not " + budget.toSeconds() + " s, " + firstBackOff.toSeconds()
                        + " s, " + maxBackOff.toSeconds() + " s, " + spaceFactor + ". Fix etc/org.fleetup.upgrade.cfg.");
            }
        }

        /** The back-off after {@code current}: doubled, at most the longest. */
        Duration next(Duration current) {
            Duration doubled = current.multipliedBy(2);
            return doubled.compareTo(maxBackOff) > 0 ? maxBackOff : doubled;
        }
    }

    private static final String BUSY = "busy";
    private static final String BUSY_BY_COMMAND = "busy-command ";

    // POSIX df -P: "<file system> <1024-blocks> <used> <available> <capacity>% <mounted on>"; either name may hold
    // spaces, the numbers never do.
    private static final Pattern DF_LINE = Pattern.compile("^.*?\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\d+%\\s+(/.*)$");

    private InstallableState() {
    }

    /**
     * The command that prints {@code busy} when the marker exists, then {@code df -P -k}'s lines for the root.
     *
     * @param root the application root, absolute and existing
     * @param busyMarker the profile's marker: under the root when relative, a leading {@code ~}/{@code $HOME} is
     *        the login's home ({@link ShellWords#path})
     */
    static String command(String root, String busyMarker) {
        return command(root, busyMarker, "");
    }

    /**
     * As {@link #command(String, String)}, and when {@code busyCommand} is not empty it runs too, in the root, in a
     * shell of its own (its syntax cannot break the check): exit 0 prints {@code busy-command <its first line>}.
     */
    static String command(String root, String busyMarker, String busyCommand) {
        String marker = ShellWords.path(busyMarker);
        String byCommand = busyCommand.isBlank() ? "" : "if fleetup_busy=$(sh -c " + quote(busyCommand)
                + " </dev/null 2>/dev/null); then printf '" + BUSY_BY_COMMAND + "%s\\n' \"$(printf '%s\\n' "
                + "\"$fleetup_busy\" | sed -n '/[^[:space:]]/{s/^[[:space:]]*//;s/[[:space:]]*$//;p;q;}')\"; fi; ";
        return "cd " + quote(root) + " || exit 2; if [ -e " + marker + " ] || [ -L " + marker + " ]; then echo "
                + BUSY + "; fi; " + byCommand + "df -P -k " + quote(root);
    }

    /**
     * Why the server cannot take {@code needed} bytes now, from what {@link #command} printed; empty when it can.
     *
     * @throws StepFailure when the command failed or printed no file system line: the state is unknown, and a server
     *         whose state cannot be read is not waited for
     */
    static Optional<String> problem(CommandResult result, String root, String busyMarker, long needed) {
        List<String> lines = result.stdout().lines().toList();
        if (!result.succeeded()) {
            throw new StepFailure("checking the free space in " + root + " failed: " + result.problem());
        }
        if (lines.contains(BUSY)) {
            return Optional.of("the server is busy: the marker " + busyMarker + " exists (in " + root + ")");
        }
        Optional<String> said = lines.stream().filter(line -> line.startsWith(BUSY_BY_COMMAND)).findFirst()
                .map(line -> line.substring(BUSY_BY_COMMAND.length()).strip());
        if (said.isPresent()) {
            return Optional.of("the server is busy: the busy command says "
                    + (said.get().isEmpty() ? "so (it printed nothing)" : "'" + said.get() + "'"));
        }
        long availableKib = availableKib(lines).orElseThrow(() -> new StepFailure("checking the free space in "
                + root + ": df -P -k printed no file system line: '" + String.join(" | ", lines) + "'"));
        long available = availableKib * 1024;
        if (available < needed) {
            return Optional.of("no space: " + kib(available) + " free in " + root + ", the release needs about "
                    + kib(needed) + " unpacked");
        }
        return Optional.empty();
    }

    /** The available KiB on df's last file system line (a long device name may wrap it on some df: taken whole). */
    static Optional<Long> availableKib(List<String> dfLines) {
        for (int i = dfLines.size() - 1; i >= 0; i--) {
            Matcher line = DF_LINE.matcher(dfLines.get(i).strip());
            if (line.matches()) {
                return Optional.of(Long.parseLong(line.group(3)));
            }
        }
        return Optional.empty();
    }

    private static String kib(long bytes) {
        return (bytes + 1023) / 1024 + " KiB";
    }
}
