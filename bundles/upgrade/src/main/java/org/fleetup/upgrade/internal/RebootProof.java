package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.List;

import org.fleetup.api.FleetupException;

/**
 * The reboot of a server and its proof: the server's boot id (the profile's {@code bootIdCommand}) read before and
 * after, which only a real boot changes. The reboot is ordered detached, in a session of its own, so that the
 * connection it takes down does not take it; it leaves, under {@code <root>/.fleetup/}, a marker that it was ordered
 * and, when the reboot command returned, its exit status and output: a reboot command that fails is told at once,
 * and a controller that restarted between recording the order and sending it orders it again.
 */
final class RebootProof {

    /** Suffixes of the files an order leaves beside the unit journals, named after the reboot's id. */
    static final String ORDERED = ".rebooting";
    static final String EXIT = ".reboot-exit";
    static final String OUTPUT = ".reboot-out";

    /** How long a rebooting server is waited for, and how often it is tried meanwhile. */
    record Limits(Duration deadline, Duration firstBackOff, Duration maxBackOff) {

        /** 600 s in all, tried again after 2 s, then twice as long each time up to 15 s. */
        static final Limits DEFAULTS = new Limits(Duration.ofSeconds(600), Duration.ofSeconds(2),
                Duration.ofSeconds(15));

        Limits {
            if (deadline.isNegative() || deadline.isZero() || firstBackOff.isNegative() || firstBackOff.isZero()
                    || maxBackOff.compareTo(firstBackOff) < 0) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "The wait for a rebooting server needs a "
                        + "deadline and a first back-off above 0 s and a longest back-off not below the first; not "
                        + deadline.toSeconds() + " s, " + firstBackOff.toSeconds() + " s, " + maxBackOff.toSeconds()
                        + " s. Fix etc/org.fleetup.upgrade.cfg.");
            }
        }

        Duration next(Duration current) {
            Duration doubled = current.multipliedBy(2);
            return doubled.compareTo(maxBackOff) > 0 ? maxBackOff : doubled;
        }
    }

    /**
     * What {@link #read} printed.
     *
     * @param bootId the boot id, {@code ""} when the command printed nothing
     * @param ordered the order's marker exists
     * @param exit the reboot command's exit status once it returned, else {@code null}
     * @param output the first line it printed, or {@code ""}
     */
    record Reading(String bootId, boolean ordered, String exit, String output) {

        boolean rebootCommandFailed() {
            return exit != null && !exit.equals("0");
        }
    }

    private RebootProof() {
    }

    /**
     * Prints {@code boot <id>}, then {@code ordered} when the reboot {@code id} was ordered, {@code exit <status>}
     * and {@code output <line>} once its command returned.
     */
    static String read(String rootWord, String id, String bootIdCommand) {
        String base = SwitchUnit.DIRECTORY + "/" + id;
        return "cd " + rootWord + " || exit 2; printf 'boot %s\\n' \"$(sh -c " + quote(bootIdCommand)
                + " </dev/null 2>/dev/null | sed -n '/[^[:space:]]/{s/^[[:space:]]*//;s/[[:space:]]*$//;p;q;}')\"; "
                + "if [ -e " + quote(base + ORDERED) + " ]; then echo ordered; fi; "
                + "if [ -s " + quote(base + EXIT) + " ]; then printf 'exit %s\\n' \"$(cat " + quote(base + EXIT)
                + ")\"; printf 'output %s\\n' \"$(grep -v '^[[:space:]]*$' " + quote(base + OUTPUT)
                + " 2>/dev/null | head -n 1)\"; fi";
    }

    static Reading parse(String printed) {
        String bootId = "";
        boolean ordered = false;
        String exit = null;
        String output = "";
        List<String> lines = printed.lines().toList();
        for (String line : lines) {
            if (line.startsWith("boot ")) {
                bootId = line.substring("boot ".length()).strip();
            } else if (line.equals("ordered")) {
                ordered = true;
            } else if (line.startsWith("exit ")) {
                exit = line.substring("exit ".length()).strip();
            } else if (line.startsWith("output ")) {
                output = line.substring("output ".length()).strip();
            }
        }
        return new Reading(bootId, ordered, exit, output);
    }

    /**
     * Marks the order (synced to disk, so that it outlives the reboot), then starts {@code rebootCommand} detached in
     * the root and returns at once; the command's status and output land beside the marker if it returns.
     */
    static String order(String rootWord, String id, String rebootCommand) {
        String base = SwitchUnit.DIRECTORY + "/" + id;
        return "cd " + rootWord + " && mkdir -p " + SwitchUnit.DIRECTORY + " && : > " + quote(base + ORDERED)
                + " && { sync 2>/dev/null; if command -v setsid >/dev/null 2>&1; then set -- setsid; else set --; fi; "
                + "\"$@\" sh -c 'sh -c \"$1\" >\"$2\" 2>&1 </dev/null; echo $? >\"$3\"' fleetup-reboot "
                + quote(rebootCommand) + " " + quote(base + OUTPUT) + " " + quote(base + EXIT)
                + " </dev/null >/dev/null 2>&1 & }";
    }
}
