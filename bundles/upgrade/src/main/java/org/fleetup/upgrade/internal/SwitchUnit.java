package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The irreversible part of an install as one POSIX {@code sh} script that runs on the server (BusyBox's {@code sh}
 * too) and finishes whatever happens to the controller or the connection: it switches {@code current}, runs the
 * health check under a deadline of its own, and on failure switches back, checks the old release answers and removes
 * the failed one. It writes what it did, line by line, to {@code <root>/.fleetup/<unit>.journal}, which the
 * controller reads to decide, at once or after a restart ({@link UnitReport} reads it).
 *
 * <p>It is started detached: in a session of its own ({@code setsid}), so that neither the kill of the command that
 * started it (the transport kills a timed-out command's whole process group) nor the end of the connection reaches
 * it; stdin from {@code /dev/null}, output to {@code <unit>.log}. The starting command then {@code wait}s for it and
 * prints its journal: the normal path costs no extra round trip. A server without {@code setsid} still runs it, in
 * the group of the starting command; the transport then kills only that command's shell, never the group, so the
 * unit goes on there too.
 *
 * <p>Journal lines: {@code pid <pid>}, {@code previous <target>}, {@code switched <target>},
 * {@code health ok|failed <why>}, then one end: {@code switched-healthy}, {@code rolled-back},
 * {@code rolled-back-unhealthy <why>}, {@code rollback-failed <why>} or {@code nothing-to-roll-back}; a
 * {@code removal-failed <why>} may come before the end.
 */
final class SwitchUnit {

    /** Where the units' journals and logs live, under the application root. */
    static final String DIRECTORY = ".fleetup";

    /** How many unit journals a server keeps. */
    static final int KEPT = 10;

    /** Switch, check, and roll back on failure. */
    static final String SWITCH = "switch";
    /** Only roll back: the controller's confirmation disagreed with a unit that ended healthy. */
    static final String ROLL_BACK = "rollback";

    // $1 mode, $2 unit id, $3 new target, $4 its version, $5 previous target ("" when none), $6 its version,
    // $7 health command, $8 health deadline in seconds. Run in the application root.
    private static final String SCRIPT = """
            mode=$1 unit=$2 target=$3 version=$4 previous=$5 previous_version=$6 health=$7 limit=$8
            journal=.fleetup/$unit.journal
            errors=.fleetup/$unit.err
            note() { printf '%s\\n' "$*" >> "$journal"; }
            first_line() {
              grep -v '^[[:space:]]*$' "$@" 2>/dev/null | head -n 1 | sed 's/^[[:space:]]*//;s/[[:space:]]*$//'
            }
            own=
            if command -v setsid >/dev/null 2>&1; then own=setsid; fi
            point() { ln -sfn "$1" current.new 2>"$errors" && mv -T current.new current 2>"$errors"; }
            # Install strategies: what makes a release run, or none, and the words for it. A ScriptUnit's or
            # a PackageUnit's functions replace these, point and remove_failed (FLEETUP_STRATEGY, read below).
            withdraw() { rm -f current 2>"$errors"; }
            pointing_to='switching current to' pointing_back='switching current back to'
            withdrawing='could not remove current'
            # The health command in a process group of its own, killed with all it started past the deadline.
            answers() {
              why=
              out=.fleetup/$unit.out err=.fleetup/$unit.herr late=.fleetup/$unit.late
              rm -f "$late"
              $own sh -c "$health" >"$out" 2>"$err" </dev/null &
              checked=$!
              $own sh -c 'sleep "$1"; : > "$2"; kill -KILL -"$3" 2>/dev/null || kill -KILL "$3" 2>/dev/null' \\
                watchdog "$limit" "$late" "$checked" >/dev/null 2>&1 </dev/null &
              watchdog=$!
              wait "$checked"; status=$?
              kill -KILL -"$watchdog" 2>/dev/null || kill -KILL "$watchdog" 2>/dev/null
              wait "$watchdog" 2>/dev/null
              printed=$(sed -n '1{s/^[[:space:]]*//;s/[[:space:]]*$//;p;}' "$out")
              if [ -e "$late" ]; then
                why="health check did not end within $limit s"
              elif [ "$status" -ne 0 ]; then
                problem=$(first_line "$err")
                [ -n "$problem" ] || problem=$(first_line "$out")
                why="health check failed with exit code $status: ${problem:-exit code $status}"
              elif [ "$printed" != "$1" ]; then
                why="health check printed '$printed', expected $1"
              fi
              rm -f "$out" "$err" "$late"
              [ -z "$why" ]
            }
            remove_failed() {
              rm -rf -- "$target" 2>"$errors" || note removal-failed "could not remove $target: $(first_line "$errors")"
            }
            roll_back() {
              if [ "$previous" = "$target" ]; then note nothing-to-roll-back; return; fi
              if [ -z "$previous" ]; then
                if withdraw; then remove_failed; note rolled-back
                else note rollback-failed "$withdrawing: $(first_line "$errors")"; fi
                return
              fi
              if ! point "$previous"; then
                note rollback-failed "$pointing_back $previous failed: $(first_line "$errors")"
                return
              fi
              note switched "$previous"
              if answers "$previous_version"; then kept=; else kept=$why; fi
              remove_failed
              if [ -z "$kept" ]; then note rolled-back; else note rolled-back-unhealthy "$kept"; fi
            }
            if [ -n "$FLEETUP_STRATEGY" ]; then eval "$FLEETUP_STRATEGY"; unset FLEETUP_STRATEGY; fi
            note pid $$
            case $mode in
            switch)
              note previous "$previous"
              if point "$target"; then
                note switched "$target"
                if answers "$version"; then note health ok; note switched-healthy
                else note health failed "$why"; roll_back; fi
              else
                note health failed "$pointing_to $target failed: $(first_line "$errors")"
                roll_back
              fi ;;
            rollback)
              roll_back ;;
            esac
            rm -f "$errors" current.new
            """;

    private SwitchUnit() {
    }

    /** The unit's journal, relative to the application root. */
    static String journal(String unit) {
        return DIRECTORY + "/" + unit + ".journal";
    }

    static String log(String unit) {
        return DIRECTORY + "/" + unit + ".log";
    }

    /**
     * What a unit writes beside its journal - its log, its health check's output, its errors - relative to the root:
     * gone once it ended, but left behind by a unit that was killed.
     */
    static List<String> sideFiles(String unit) {
        return Stream.of(".log", ".err", ".out", ".herr", ".late").map(suffix -> DIRECTORY + "/" + unit + suffix)
                .toList();
    }

    /**
     * Starts the unit detached, waits for it and prints its journal (with {@link UnitReport#ALIVE} when it still runs,
     * as when {@code setsid} had to fork and the wait returned at once).
     *
     * @param rootWord the application root, a word for the shell
     */
    static String start(String rootWord, String mode, String unit, String target, String version, String previous,
                        String previousVersion, String health, Duration limit) {
        return start(rootWord, mode, unit, target, version, previous, previousVersion, health, limit, "");
    }

    /**
     * As {@link #start(String, String, String, String, String, String, String, String, Duration)}, with the shell
     * functions of another install strategy ({@link InstallStrategy#unitFunctions}) in place of the switch's.
     */
    static String start(String rootWord, String mode, String unit, String target, String version, String previous,
                        String previousVersion, String health, Duration limit, String strategyFunctions) {
        String arguments = Stream.of("fleetup-unit-" + unit, mode, unit, target, version, previous, previousVersion,
                health, String.valueOf(Math.max(1, limit.toSeconds())))
                .map(s -> quote(s == null ? "" : s)).collect(Collectors.joining(" "));
        return "cd " + rootWord + " && mkdir -p " + DIRECTORY + " && { "
                + "if command -v setsid >/dev/null 2>&1; then set -- setsid; else set --; fi; "
                + (strategyFunctions.isEmpty() ? "" : "FLEETUP_STRATEGY=" + quote(strategyFunctions) + " ")
                + "\"$@\" sh -c " + quote(SCRIPT) + " " + arguments + " </dev/null >>" + quote(log(unit)) + " 2>&1 & "
                + "wait $!; " + read(unit) + "; }";
    }

    /** Prints the unit's journal and whether its process still runs, or {@link UnitReport#ABSENT}. */
    static String read(String unit) {
        return read(quote(journal(unit)), quote(unit));
    }

    private static String read(String journalWord, String unitWord) {
        return "if [ -f " + journalWord + " ]; then cat " + journalWord + "; " + pid(journalWord)
                + "if [ -n \"$fleetup_pid\" ] && " + alive(unitWord) + "; then echo " + UnitReport.ALIVE + "; fi; "
                + "else echo " + UnitReport.ABSENT + "; fi";
    }

    /** Waits, polling each second, while the unit's process runs; the caller's command timeout bounds it. */
    static String awaitEnd(String rootWord, String unit) {
        return "cd " + rootWord + " && " + pid(quote(journal(unit))) + "while [ -n \"$fleetup_pid\" ] && "
                + alive(quote(unit)) + "; do sleep 1; done; " + read(unit);
    }

    /**
     * The newest unit journal that switched {@code current} to {@code target}: its unit's id on the first line, then
     * what {@link #read} prints; nothing when no unit ever did.
     */
    static String findSwitchedTo(String rootWord, String target) {
        return "cd " + rootWord + " 2>/dev/null && [ -d " + DIRECTORY + " ] && "
                + "for f in $(ls -t " + DIRECTORY + " 2>/dev/null | grep '\\.journal$'); do "
                + "if grep -qx " + quote("switched " + target) + " " + DIRECTORY + "/\"$f\"; then "
                + "u=${f%.journal}; echo \"$u\"; " + read(DIRECTORY + "/\"$f\"", "\"$u\"") + "; break; fi; done; true";
    }

    private static String pid(String journalWord) {
        return "fleetup_pid=$(sed -n 's/^pid //p' " + journalWord + " 2>/dev/null | head -n 1); ";
    }

    // A pid can be reused: it is the unit's only when its command line names the unit.
    private static String alive(String unitWord) {
        return "kill -0 \"$fleetup_pid\" 2>/dev/null && { [ ! -r /proc/$fleetup_pid/cmdline ] "
                + "|| grep -q " + unitWord + " /proc/$fleetup_pid/cmdline; }";
    }

    /**
     * Removes all but the {@link #KEPT} newest journals: enough history for an operator, and the newest unit that
     * switched to the running release, which a later upgrade reads, is always among them.
     */
    static String prune(String rootWord) {
        return "cd " + rootWord + "/" + DIRECTORY + " && ls -t | grep '\\.journal$' | tail -n +" + (KEPT + 1)
                + " | while read -r old; do rm -f -- \"$old\"; done; true";
    }
}
