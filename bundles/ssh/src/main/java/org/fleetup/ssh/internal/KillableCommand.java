package org.fleetup.ssh.internal;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.ShellWords;

/**
 * A command wrapped so that its deadline can end it on the server, with everything it started. OpenSSH's sshd does
 * not signal a command without a terminal when its channel closes, so closing the channel of a command past its
 * deadline leaves it running (a {@code tar} writing on into a directory the cleanup removes). Wrapped, the command
 * runs in a shell that leads a process session of its own ({@code setsid}, which BusyBox has too), and that shell
 * first announces its process group on stderr; past the deadline the controller kills that whole group through a
 * new channel. Nothing is added to the normal path but a few processes on the server: no round trip, no watchdog
 * left behind, and the command's output and exit code are its own once the announcement is taken out of stderr.
 *
 * <p>sshd starts the shell of a command as the leader of a session of its own already: that shell, reading its process
 * group from {@code /proc} with builtins only, runs the command itself, and no process is added on the server. A
 * shell that leads no group (a server that runs commands otherwise, a system without {@code /proc}) starts the
 * command in the background, where a shell without job control leaves it in its own process group, so that
 * {@code setsid} never has to fork (it would otherwise, and BusyBox's would lose the exit code); the background
 * command's stdin is the session's, passed on by a descriptor of its own (a shell gives a background command
 * {@code /dev/null} before its own redirections, so {@code <&0} would pass that). A server without {@code setsid}
 * still runs the command, which then cannot be killed with what it started, only its shell.
 */
final class KillableCommand {

    private static final String ANNOUNCEMENT = "fleetup-process-group ";
    private static final Pattern ANNOUNCED = Pattern.compile(Pattern.quote(ANNOUNCEMENT) + "(\\d+)\n");

    /** What the kill prints when it reached the whole group, or the command's shell only. */
    static final String KILLED_GROUP = "group";
    static final String KILLED_SHELL = "shell";

    private KillableCommand() {
    }

    /**
     * The command as it is sent: run by the server's shell ({@code $SHELL}, as sshd itself runs a command), in a
     * session of its own, after a line on stderr naming its process group.
     */
    static String wrap(String command) {
        String announced = ShellWords.quote("echo \"" + ANNOUNCEMENT + "$$\" >&2\n" + command);
        // The fields of /proc/PID/stat after the command's name, which ends with the last ')': state, parent, group.
        return "fleetup_group=; { read -r fleetup_stat </proc/$$/stat; } 2>/dev/null && set -- ${fleetup_stat##*)}"
                + " && [ \"$3\" = \"$$\" ] && fleetup_group=$$; set --; if [ -n \"$fleetup_group\" ]; then eval "
                + announced + "; else if command -v setsid >/dev/null 2>&1; then set -- setsid; fi; exec 3<&0; \"$@\" "
                + "\"${SHELL:-/bin/sh}\" -c " + announced + " <&3 3<&- & wait $!; fi";
    }

    /** The process group the command announced in what it printed on stderr so far, if it did. */
    static OptionalLong group(String stderr) {
        Matcher matcher = ANNOUNCED.matcher(stderr);
        return matcher.find() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /** The command's own stderr: without the announcement. */
    static String stderr(String printed) {
        Matcher matcher = ANNOUNCED.matcher(printed);
        return matcher.find() ? printed.substring(0, matcher.start()) + printed.substring(matcher.end()) : printed;
    }

    /**
     * Kills the group with SIGKILL (nothing in it can delay its end), or, when there is no such group (no
     * {@code setsid} on the server), the command's shell; prints {@link #KILLED_GROUP} or {@link #KILLED_SHELL}. The
     * {@code -KILL -PGID} form is the one dash, bash and BusyBox's sh all read as a group.
     */
    static String kill(long group) {
        return "kill -KILL -" + group + " 2>/dev/null && echo " + KILLED_GROUP + " || { kill -KILL " + group
                + " && echo " + KILLED_SHELL + "; }";
    }
}
