package org.fleetup.upgrade.internal;

import java.util.List;
import java.util.Optional;

import org.fleetup.api.transport.CommandResult;

/**
 * The rollout's inspection of a server and the install's first look at it ({@link ReleaseDirectoryInstall#lookAhead})
 * in one command: an upgraded server costs one session, one {@code sshd} session process and shell, less. The look
 * only reads, so a server that turns out current or newer was not changed by it.
 */
final class InspectionWithLook {

    private static final String INSPECTED = "::fleetup-inspected ";

    /** The inspection's own answer, as if run alone, and the look's lines when the install can take them. */
    record Printed(CommandResult inspection, Optional<List<String>> look) {
    }

    private InspectionWithLook() {
    }

    /**
     * The inspection runs first, in a subshell as when alone (it may {@code exit}); its exit code follows on a line of
     * its own, after a newline of its own, so that its output comes back byte for byte. The look's errors are dropped:
     * a look that fails is not taken, and the install asks again in its own round trip, with its own words.
     */
    static String command(String inspection, String look) {
        return "(\n" + inspection + "\n); printf '\\n" + INSPECTED + "%s\\n' \"$?\"; (\n" + look + "\n) 2>/dev/null";
    }

    /** What {@link #command} printed, split; empty when the inspection's part cannot be told apart. */
    static Optional<Printed> parse(CommandResult result) {
        String out = result.stdout();
        int at = out.lastIndexOf("\n" + INSPECTED);
        int from = at + 1 + INSPECTED.length();
        int end = at < 0 ? -1 : out.indexOf('\n', from);
        if (end < 0) {
            return Optional.empty();
        }
        int code;
        try {
            code = Integer.parseInt(out.substring(from, end).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(new Printed(new CommandResult(code, out.substring(0, at), result.stderr()),
                ReleaseDirectoryInstall.lookedAhead(out.substring(end + 1))));
    }
}
