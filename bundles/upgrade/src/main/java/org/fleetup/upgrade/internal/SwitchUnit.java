package org.fleetup.upgrade.internal;

import static org.fleetup.api.ShellWords.quote;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.fleetup.api.ShellWords;
import org.fleetup.api.transport.CommandResult;

/**
 * The irreversible part of an install as one POSIX {@code sh} script that runs on the server (BusyBox's {@code sh}
 * too) and finishes whatever happens to the controller or the connection: it switches {@code current}, runs the
 * restart command if any, then the health check (a command, or an HTTP URL fetched with {@code curl} or
 * {@code wget}), each under a deadline of its own, and on failure switches back, checks the old release answers
 * and removes the failed one. For a release that reboots the server, the switch and the checks are separate modes
 * around the reboot ({@link #SWITCH_ONLY}, {@link #CHECK}, {@link #SWITCH_BACK}, {@link #CHECK_PREVIOUS}). It writes
 * what it did, line by line, to {@code <root>/.fleetup/<unit>.journal}, which the controller reads to decide, at
 * once or after a restart ({@link UnitReport} reads it).
 *
 * <p>It is started detached: in a session of its own ({@code setsid}), so that neither the kill of the command that
 * started it (the transport kills a timed-out command's whole process group) nor the end of the connection reaches
 * it; stdin from {@code /dev/null}, output to {@code <unit>.log}. The starting command then {@code wait}s for it and
 * prints its journal: the normal path costs no extra round trip. A server without {@code setsid} still runs it, in
 * the group of the starting command; the transport then kills only that command's shell, never the group, so the
 * unit goes on there too.
 *
 * <p>Journal lines: {@code pid <pid>}, {@code previous <target>}, {@code switched <target>},
 * {@code restart ok|failed <why>} (when a restart command is set), {@code health ok|failed <why>}, then one end:
 * {@code switched-healthy}, {@code rolled-back}, {@code rolled-back-unhealthy <why>}, {@code rollback-failed <why>},
 * {@code nothing-to-roll-back}, or, for a release that reboots the server, {@code switched-unchecked} (the reboot into
 * it follows) or {@code switched-back-unchecked} (the reboot back follows); a {@code removal-failed <why>} may come
 * before the end.
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

    // A release that reboots the server: it runs only after the reboot, so the switch and the checks are apart.
    /** Switch only, no restart nor check: the reboot follows. */
    static final String SWITCH_ONLY = "switch-only";
    /** After the reboot: check the release current points to; on failure point current back, unchecked. */
    static final String CHECK = "check";
    /** Point current back, unchecked: the controller's confirmation disagreed; a reboot follows. */
    static final String SWITCH_BACK = "switch-back";
    /** After the reboot back: check the previous release and remove the failed one. */
    static final String CHECK_PREVIOUS = "check-previous";

    // $1 mode, $2 unit id, $3 new target, $4 its version, $5 previous target ("" when none), $6 its version,
    // $7 health command, $8 deadline in seconds of each restart and health check, $9 restart command ("": none),
    // ${10} health URL ("": the command), ${11} the answer expected ("": the version). Run in the application root.
    private static final String SCRIPT = """
            mode=$1 unit=$2 target=$3 version=$4 previous=$5 previous_version=$6 health=$7 limit=$8 restart=$9
            url=${10} expect=${11}
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
            out=.fleetup/$unit.out err=.fleetup/$unit.herr late=.fleetup/$unit.late code=.fleetup/$unit.code
            # Runs sh -c "$@" in a process group of its own, killed with all it started past the deadline: sets
            # status, and timed_out when it was killed.
            bounded() {
              [ ! -e "$late" ] || rm -f "$late"
              $own sh -c "$@" >"$out" 2>"$err" </dev/null &
              checked=$!
              $own sh -c 'sleep "$1"; : > "$2"; kill -KILL -"$3" 2>/dev/null || kill -KILL "$3" 2>/dev/null' \\
                watchdog "$limit" "$late" "$checked" >/dev/null 2>&1 </dev/null &
              watchdog=$!
              wait "$checked"; status=$?
              kill -KILL -"$watchdog" 2>/dev/null || kill -KILL "$watchdog" 2>/dev/null
              wait "$watchdog" 2>/dev/null
              timed_out=
              if [ -e "$late" ]; then timed_out=yes; fi
            }
            # The restart command, when there is one: a failure is told in why, as a health check's.
            restarted() {
              why=
              [ -n "$restart" ] || return 0
              bounded "$restart"
              if [ -n "$timed_out" ]; then
                why="restart command did not end within $limit s"
              elif [ "$status" -ne 0 ]; then
                problem=$(first_line "$err")
                [ -n "$problem" ] || problem=$(first_line "$out")
                why="restart command failed with exit code $status: ${problem:-exit code $status}"
              fi
              rm -f "$out" "$err" "$late"
              if [ -z "$why" ]; then note restart ok; else note restart failed "$why"; fi
              [ -z "$why" ]
            }
            # The body to $out, the HTTP status to $code (curl's -w; wget -S prints the status lines on stderr).
            fetch='if command -v curl >/dev/null 2>&1; then curl -sS -o "$1" -w "%{http_code}" "$3" >"$2"
            else wget -S -q -O "$1" "$3"; fi'
            answers() {
              why=
              wanted=${expect:-$1}
              [ ! -e "$code" ] || rm -f "$code"
              if [ -n "$url" ]; then bounded "$fetch" fetch "$out" "$code" "$url"; else bounded "$health"; fi
              # the first line, without the blanks around it: read by the shell, as the journals are
              printed=
              { IFS= read -r printed || true; } 2>/dev/null <"$out"
              printed=${printed#"${printed%%[![:space:]]*}"}
              printed=${printed%"${printed##*[![:space:]]}"}
              if [ -n "$url" ]; then
                http=$(cat "$code" 2>/dev/null)
                [ -n "$http" ] || http=$(sed -n 's|^[[:space:]]*HTTP/[0-9.]* \\([0-9][0-9][0-9]\\).*|\\1|p' "$err" \\
                  | tail -n 1)
                case $http in ''|000) http=nothing ;; esac
                problem=$(grep -v '^[[:space:]]' "$err" 2>/dev/null | head -n 1)
                if [ -n "$timed_out" ]; then
                  why="health check GET $url did not end within $limit s"
                elif [ "$status" -ne 0 ] || [ "${http#2}" = "$http" ]; then
                  why="health check GET $url answered $http (exit code $status): read '${printed:-$problem}'"
                elif [ "$printed" != "$wanted" ]; then
                  why="health check GET $url answered $http with '$printed', expected $wanted"
                fi
              elif [ -n "$timed_out" ]; then
                why="health check did not end within $limit s"
              elif [ "$status" -ne 0 ]; then
                problem=$(first_line "$err")
                [ -n "$problem" ] || problem=$(first_line "$out")
                why="health check failed with exit code $status: ${problem:-exit code $status}"
              elif [ "$printed" != "$wanted" ]; then
                why="health check printed '$printed', expected $wanted"
              fi
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
              if restarted && answers "$previous_version"; then kept=; else kept=$why; fi
              remove_failed
              if [ -z "$kept" ]; then note rolled-back; else note rolled-back-unhealthy "$kept"; fi
            }
            # Only points current back: the previous release runs once the server rebooted into it.
            switch_back() {
              if [ "$previous" = "$target" ]; then note nothing-to-roll-back; return; fi
              if [ -z "$previous" ]; then roll_back; return; fi
              if point "$previous"; then note switched "$previous"; note switched-back-unchecked
              else note rollback-failed "$pointing_back $previous failed: $(first_line "$errors")"; fi
            }
            if [ -n "$FLEETUP_STRATEGY" ]; then eval "$FLEETUP_STRATEGY"; unset FLEETUP_STRATEGY; fi
            note pid $$
            case $mode in
            switch)
              note previous "$previous"
              if point "$target"; then
                note switched "$target"
                if restarted && answers "$version"; then note health ok; note switched-healthy
                else note health failed "$why"; roll_back; fi
              else
                note health failed "$pointing_to $target failed: $(first_line "$errors")"
                roll_back
              fi ;;
            rollback)
              roll_back ;;
            switch-only)
              note previous "$previous"
              if point "$target"; then note switched "$target"; note switched-unchecked
              else
                note health failed "$pointing_to $target failed: $(first_line "$errors")"
                roll_back
              fi ;;
            check)
              note previous "$previous"
              note switched "$target"
              if answers "$version"; then note health ok; note switched-healthy
              else note health failed "$why"; switch_back; fi ;;
            switch-back)
              switch_back ;;
            check-previous)
              if answers "$previous_version"; then kept=; note health ok; else kept=$why; note health failed "$why"; fi
              remove_failed
              if [ -z "$kept" ]; then note rolled-back; else note rolled-back-unhealthy "$kept"; fi ;;
            esac
            # the checks' files too, here rather than after each check: one rm for all
            rm -f "$errors" current.new "$out" "$err" "$late" "$code"
            """;

    /**
     * What brings a release to run and proves it runs, each under the deadline {@code limit}.
     *
     * @param health the health command, run when {@code url} is empty
     * @param restart run after each switch, before the check; {@code ""}: none
     * @param url fetched as the health check when not {@code ""}
     * @param expect what the check must print or answer first; {@code ""}: the version switched to
     */
    record Checks(String health, Duration limit, String restart, String url, String expect) {
    }

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
        return Stream.of(".log", ".err", ".out", ".herr", ".late", ".code", RebootProof.ORDERED,
                        RebootProof.EXIT, RebootProof.OUTPUT).map(suffix -> DIRECTORY + "/" + unit + suffix)
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
        return start(rootWord, mode, unit, target, version, previous, previousVersion,
                new Checks(health, limit, "", "", ""), "");
    }

    /**
     * As {@link #start(String, String, String, String, String, String, String, String, Duration)}, with checks, and
     * the shell functions of another install strategy ({@link InstallStrategy#unitFunctions}) in place of the
     * switch's, unless empty.
     */
    static String start(String rootWord, String mode, String unit, String target, String version, String previous,
                        String previousVersion, Checks checks, String strategyFunctions) {
        String arguments = Stream.of("fleetup-unit-" + unit, mode, unit, target, version, previous, previousVersion,
                checks.health(), String.valueOf(Math.max(1, checks.limit().toSeconds())), checks.restart(),
                checks.url(), checks.expect())
                .map(s -> quote(s == null ? "" : s)).collect(Collectors.joining(" "));
        return "cd " + rootWord + " && { [ -d " + DIRECTORY + " ] || mkdir -p " + DIRECTORY + "; } && { "
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
        return "if [ -f " + journalWord + " ]; then " + print(journalWord) + pid(journalWord)
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

    // The journals are read by the shell itself, not by sed, head or tail: each process less is a fork and an exec
    // less on every server of a rollout.
    private static String pid(String journalWord) {
        return "fleetup_pid=; while IFS= read -r fleetup_line; do case $fleetup_line in 'pid '*) "
                + "fleetup_pid=${fleetup_line#pid }; break ;; esac; done 2>/dev/null <" + journalWord + "; ";
    }

    /** Prints the journal, each line ended by a newline. */
    private static String print(String journalWord) {
        return eachLine(journalWord, "printf '%s\\n' \"$fleetup_line\"");
    }

    /** Sets {@code fleetup_last} to the journal's last line, empty when it has none. */
    private static String lastLine(String journalWord) {
        return "fleetup_last=; " + eachLine(journalWord, "fleetup_last=$fleetup_line");
    }

    /** Runs {@code body} for each line of the journal, as {@code $fleetup_line}, a last one without newline too. */
    private static String eachLine(String journalWord, String body) {
        return "while IFS= read -r fleetup_line || [ -n \"$fleetup_line\" ]; do " + body + "; done 2>/dev/null <"
                + journalWord + "; ";
    }

    // A pid can be reused: it is the unit's only when its command line names the unit.
    private static String alive(String unitWord) {
        return "kill -0 \"$fleetup_pid\" 2>/dev/null && { [ ! -r /proc/$fleetup_pid/cmdline ] "
                + "|| grep -q " + unitWord + " /proc/$fleetup_pid/cmdline; }";
    }

    /** What {@link #afterHealthy} prints once it removed everything. */
    static final String TIDIED = "::fleetup-tidied";
    private static final String CONFIRM = "::fleetup-confirm";
    private static final String CONFIRM_STATUS = "::fleetup-confirm-status ";

    /**
     * Run in the root right after {@link #start} in the same command, so that the end of a healthy switch costs no
     * round trip of its own: when the unit's journal ends {@code switched-healthy}, removes {@code files} and the
     * unit's side files, prunes the old journals ({@link #prune}) and prints {@link #TIDIED}, then runs
     * {@code confirm} (when not empty), its stdout and exit code framed for {@link #confirmation}; else does nothing.
     * What the files were needed for is over once the switch is healthy: a rollback switches to a release directory,
     * and the unit's journal stays.
     */
    static String afterHealthy(String unit, List<String> files, String confirm) {
        String removal = Stream.concat(files.stream(), sideFiles(unit).stream()).map(ShellWords::quote)
                .collect(Collectors.joining(" "));
        return lastLine(quote(journal(unit))) + "case \"$fleetup_last\" in " + UnitReport.SWITCHED_HEALTHY
                + "*) rm -rf -- " + removal + " && " + prune(".") + " && echo " + TIDIED
                + (confirm.isEmpty() ? "" : "; echo " + CONFIRM + "; (" + confirm + "\n) 2>/dev/null; echo \""
                + CONFIRM_STATUS + "$?\"") + " ;; esac";
    }

    /** What the confirming command of {@link #afterHealthy} printed, and its exit code, when it ran. */
    static Optional<CommandResult> confirmation(String printed) {
        List<String> lines = printed.lines().toList();
        int from = lines.indexOf(CONFIRM);
        if (from < 0 || lines.isEmpty() || !lines.get(lines.size() - 1).startsWith(CONFIRM_STATUS)) {
            return Optional.empty();
        }
        String status = lines.get(lines.size() - 1).substring(CONFIRM_STATUS.length()).strip();
        return Optional.of(new CommandResult(Integer.parseInt(status),
                String.join("\n", lines.subList(from + 1, lines.size() - 1)), ""));
    }

    /**
     * Removes all but the {@link #KEPT} newest journals, in a subshell: enough history for an operator, and the newest
     * unit that switched to the running release, which a later upgrade reads, is always among them. The shell counts
     * them first, so that a server with no more than that runs no {@code ls}, {@code grep} nor {@code tail}.
     */
    static String prune(String rootWord) {
        return "(cd " + rootWord + "/" + DIRECTORY + " || exit 0; set -- *.journal; [ $# -le " + KEPT + " ]"
                + " || ls -t | grep '\\.journal$' | tail -n +" + (KEPT + 1)
                + " | while read -r old; do rm -f -- \"$old\"; done; true)";
    }
}
