package org.fleetup.api;

import java.util.Optional;

/**
 * The one rule by which Fleetup writes words for a server's POSIX {@code /bin/sh} (dash, BusyBox {@code ash}, bash):
 * every value it did not write itself - a path, a server attribute, a file name - goes in single quotes, where the
 * shell expands nothing; a single quote inside becomes {@code '\''}. Commons Text's {@code escapeXSI} backslash-escapes
 * and drops newlines, so it is not used.
 */
public final class ShellWords {

    /** How the home directory is written in a path: the only expansion a path keeps. */
    private static final String HOME = "\"$HOME\"";

    private ShellWords() {
    }

    /** {@code it's} becomes {@code 'it'\''s'}: one word, nothing in it expanded by the shell. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /**
     * The part of {@code path} below the home directory, when it starts at it: {@code ~}, {@code $HOME} or
     * {@code ${HOME}}, alone or followed by {@code /}. {@code "app"} for {@code ~/app}, {@code ""} for {@code ~}.
     */
    public static Optional<String> belowHome(String path) {
        for (String home : new String[] {"~", "$HOME", "${HOME}"}) {
            if (path.equals(home)) {
                return Optional.of("");
            }
            if (path.startsWith(home + "/")) {
                return Optional.of(path.substring(home.length() + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * A path as one word: a leading home directory ({@link #belowHome}) expands to the login's {@code $HOME}, and
     * nothing else does. {@code ~/my apps} becomes {@code "$HOME"/'my apps'}, {@code /srv/$x} becomes
     * {@code '/srv/$x'}. The inspection and the install write an application root this way, so that both reach the
     * same directory.
     */
    public static String path(String path) {
        return belowHome(path)
                .map(rest -> rest.isEmpty() ? HOME : HOME + "/" + quote(rest))
                .orElseGet(() -> quote(path));
    }
}
