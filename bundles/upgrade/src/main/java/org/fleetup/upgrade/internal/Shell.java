package org.fleetup.upgrade.internal;

/**
 * Writing words for a POSIX {@code /bin/sh} command line. Commons Text's {@code escapeXSI} backslash-escapes and
 * drops newlines; a single-quoted word keeps every character as it is, so that is what is used here.
 */
final class Shell {

    private Shell() {
    }

    /** {@code it's} becomes {@code 'it'\''s'}: one word, nothing in it expanded by the shell. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
