package org.fleetup.inspection.internal;

import java.util.List;

import org.fleetup.api.transport.CommandResult;

/**
 * A version command wrapped so that the server itself tells "nothing installed" from "broken", in the same round
 * trip: only when the version command fails does the shell look at the release-directory layout, and it says
 * "not installed" only when the root holds no {@code current} link and is either absent or a directory it can
 * enter. A missing {@code VERSION} under an existing {@code current}, a root that is a file or cannot be entered, a
 * timeout or a lost connection all stay failures.
 *
 * <p>The test is tied to the release-directory layout, the one layout Fleetup installs: a product whose version
 * command works without a {@code current} link (a firmware read by {@code dmidecode}) is read as usual, and is "not
 * installed" only if that command fails and there is no {@code current} either.
 *
 * <p>POSIX {@code sh} only ({@code [ -e ]}, {@code [ -L ]}, {@code [ -d ]}, {@code [ -x ]}, a subshell), so that
 * BusyBox's {@code ash} runs it too.
 */
final class InstallationProbe {

    /** The last line the probe prints when nothing is installed. */
    static final String MARKER = "fleetup: not installed";

    /** The exit code that goes with {@link #MARKER}; a version command's own codes are passed through. */
    static final int EXIT = 99;

    private InstallationProbe() {
    }

    /**
     * @param root the application root as one shell word ({@code "$HOME/app"})
     * @param versionCommand the command that prints the version, entering the root itself
     */
    static String wrap(String root, String versionCommand) {
        String current = root + "/current";
        // The subshell keeps the cd from moving the tests below; the newline ends a comment the command may hold.
        return "( " + versionCommand + "\n) || { fleetup_failed=$?; "
                + "if [ ! -e " + current + " ] && [ ! -L " + current + " ] && { [ -d " + root + " ] && [ -x " + root
                + " ] || { [ ! -e " + root + " ] && [ ! -L " + root + " ]; }; }; "
                + "then echo '" + MARKER + "'; exit " + EXIT + "; fi; exit $fleetup_failed; }";
    }

    /** Whether the server answered that nothing is installed. */
    static boolean notInstalled(CommandResult result) {
        List<String> lines = result.stdout().lines().toList();
        return result.exitCode() == EXIT && !lines.isEmpty() && lines.get(lines.size() - 1).equals(MARKER);
    }
}
