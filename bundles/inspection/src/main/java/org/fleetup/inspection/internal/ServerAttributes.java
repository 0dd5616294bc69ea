package org.fleetup.inspection.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;
import org.fleetup.api.ShellWords;
import org.fleetup.api.inventory.Server;

/**
 * Puts one server's attributes into the values of a product profile. An attribute comes from a server list anyone
 * may have written ({@code eu1;touch /tmp/x;#}, {@code $(id)}, {@code 1.0 beta}), so it is never read as shell
 * syntax: in a command it becomes one single-quoted word ({@link ShellWords#quote}), the quotes the profile's author
 * wrote around the placeholder being closed before it and opened again after; in the root, a path quoted whole, it is
 * text.
 * <p>
 * To know which quotes surround a placeholder, a command is read as {@code /bin/sh} reads it: quotes, backslashes,
 * comments, {@code $(...)} and {@code (...)}. After a construct whose insides this reading does not follow (a
 * backquote, {@code $((}, {@code ((}, {@code $[}, {@code $'}, a here-document, {@code case}, a parameter expansion
 * holding quotes or expansions) an attribute is refused rather than guessed at.
 */
final class ServerAttributes {

    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    /** Where a word starts in a shell's plain text: a {@code #} there starts a comment. */
    private static final String WORD_BREAKS = ";&|()<>";

    private enum Quoting { PLAIN, SINGLE, DOUBLE }

    private final Server server;
    private final String product;

    ServerAttributes(Server server, String product) {
        this.server = server;
        this.product = product;
    }

    /**
     * {@code command} with every {@code ${name}} naming an attribute of the server as one shell word; every other
     * {@code $} expression left to the server's shell.
     *
     * @param field the profile's key, for messages ({@code versionCommand})
     */
    String command(String field, String command) {
        return new CommandReader(field, command).read();
    }

    /**
     * The root with every {@code ${name}} replaced by the attribute's value as text: a leading home directory
     * ({@link ShellWords#belowHome}) stays the only expansion, the rest being quoted whole.
     *
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} when it names an attribute the server lacks,
     *         or an attribute makes it start at the home directory; {@link FleetupException#INVALID_INPUT} for any
     *         other {@code $} of the profile
     */
    String path(String field, String root) {
        Optional<String> belowHome = ShellWords.belowHome(root);
        String path = belowHome.map(rest -> rest.isEmpty() ? "$HOME" : "$HOME/" + text(field, root, rest))
                .orElseGet(() -> text(field, root, root));
        if (path.isBlank()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The " + field + " of " + product + " is empty"
                    + " on server '" + server.name() + "'. Fix the product profile, or the server attributes it names.");
        }
        if (belowHome.isEmpty() && ShellWords.belowHome(path).isPresent()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The attributes of server '" + server.name()
                    + "' make the " + field + " of " + product + ", '" + root + "', start with '" + path.split("/")[0]
                    + "', which an attribute may not expand. Write $HOME/ at the start of the profile's " + field
                    + " instead.");
        }
        return path;
    }

    private String text(String field, String root, String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                out.append(c);
                i++;
                continue;
            }
            int end = text.startsWith("${", i) ? text.indexOf('}', i + 2) : -1;
            if (end < 0) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "The " + field + " of " + product + ", '"
                        + root + "', holds a '$' that is neither the leading $HOME nor a server attribute ${name}: "
                        + "Fleetup expands nothing else in a root. Write the path out in the product profile.");
            }
            String name = text.substring(i + 2, end);
            String value = server.attributes().get(name);
            if (value == null) {
                throw new FleetupException(FleetupException.SERVER_INVALID, "The " + field + " of " + product + ", '"
                        + root + "', names ${" + name + "}, but server '" + server.name() + "' has no attribute '"
                        + name + "'. Add the column to the server list, or change the product profile.");
            }
            out.append(checked(name, value));
            i = end + 1;
        }
        return out.toString();
    }

    private String checked(String name, String value) {
        Matcher control = CONTROL.matcher(value);
        if (control.find()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "Attribute '" + name + "' of server '"
                    + server.name() + "' holds the control character U+"
                    + String.format("%04X", (int) control.group().charAt(0)) + ", which cannot be part of a command "
                    + "or a path. Change the attribute.");
        }
        return value;
    }

    /** One pass over a command, in the shell's own terms. */
    private final class CommandReader {

        private final String field;
        private final String text;
        private final StringBuilder out = new StringBuilder();
        private final Deque<Quoting> quoting = new ArrayDeque<>();
        private int at;
        private boolean wordStart = true;
        /** The construct after which no attribute is placed, or {@code null}. */
        private String unfollowed;

        CommandReader(String field, String text) {
            this.field = field;
            this.text = text;
            quoting.push(Quoting.PLAIN);
        }

        String read() {
            while (at < text.length()) {
                if (unfollowed != null) {
                    copyRefusingAttributes();
                } else if (!placeholder()) {
                    step();
                }
            }
            return out.toString();
        }

        /** {@code ${name}} of an attribute, or of the shell's own; {@code $$} is the shell's too. */
        private boolean placeholder() {
            if (text.startsWith("$$", at)) {
                copy(2);
                wordStart = false;
                return true;
            }
            if (!text.startsWith("${", at)) {
                return false;
            }
            int end = text.indexOf('}', at + 2);
            String name = end < 0 ? null : text.substring(at + 2, end);
            String value = name == null ? null : server.attributes().get(name);
            if (value != null) {
                out.append(word(checked(name, value)));
                at = end + 1;
                wordStart = false;
                return true;
            }
            if (quoting.peek() == Quoting.SINGLE) {
                return false;
            }
            if (end < 0 || name.chars().anyMatch(c -> "'\"`\\${".indexOf(c) >= 0)) {
                unfollowed = "a parameter expansion holding quotes or expansions";
                return true;
            }
            copy(end + 1 - at);
            wordStart = false;
            return true;
        }

        /** The value as one word where it stands: the surrounding quotes are closed around it. */
        private String word(String value) {
            String quoted = ShellWords.quote(value);
            return switch (quoting.peek()) {
                case SINGLE -> "'" + quoted + "'";
                case DOUBLE -> "\"" + quoted + "\"";
                default -> quoted;
            };
        }

        private void step() {
            char c = text.charAt(at);
            switch (quoting.peek()) {
                case SINGLE -> {
                    if (c == '\'') {
                        quoting.pop();
                        wordStart = false;
                    }
                    copy(1);
                }
                case DOUBLE -> inDoubleQuotes(c);
                default -> inPlainText(c);
            }
        }

        private void inDoubleQuotes(char c) {
            if (c == '\\') {
                copy(Math.min(2, text.length() - at));
            } else if (c == '"') {
                quoting.pop();
                copy(1);
                wordStart = false;
            } else if (c == '`' || text.startsWith("$((", at) || text.startsWith("$[", at)) {
                unfollowed = "a backquote or an arithmetic expansion";
            } else if (text.startsWith("$(", at)) {
                quoting.push(Quoting.PLAIN);
                copy(2);
                wordStart = true;
            } else {
                copy(1);
            }
        }

        private void inPlainText(char c) {
            if (c == '\\') {
                copy(Math.min(2, text.length() - at));
                wordStart = false;
                return;
            }
            if (c == '`' || text.startsWith("$((", at) || text.startsWith("((", at) || text.startsWith("$[", at)
                    || text.startsWith("$'", at) || text.startsWith("<<", at) || (wordStart && startsCase())) {
                unfollowed = "a backquote, an arithmetic expansion, $'...', a here-document or case";
                return;
            }
            if (c == '#' && wordStart) {
                int newline = text.indexOf('\n', at);
                copy((newline < 0 ? text.length() : newline) - at);
                return;
            }
            if (c == '\'') {
                quoting.push(Quoting.SINGLE);
            } else if (c == '"') {
                quoting.push(Quoting.DOUBLE);
            } else if (text.startsWith("$(", at)) {
                quoting.push(Quoting.PLAIN);
                copy(2);
                wordStart = true;
                return;
            } else if (c == '(') {
                quoting.push(Quoting.PLAIN);
            } else if (c == ')' && quoting.size() > 1) {
                quoting.pop();
            }
            copy(1);
            wordStart = Character.isWhitespace(c) || WORD_BREAKS.indexOf(c) >= 0;
        }

        private boolean startsCase() {
            int end = at + "case".length();
            return text.startsWith("case", at)
                    && (end == text.length() || Character.isWhitespace(text.charAt(end)));
        }

        /** After a construct not followed: the rest as written, and no attribute in it. */
        private void copyRefusingAttributes() {
            String rest = text.substring(at);
            for (String name : server.attributes().keySet()) {
                if (rest.contains("${" + name + "}")) {
                    throw new FleetupException(FleetupException.INVALID_INPUT, "The " + field + " of " + product
                            + " names the server attribute ${" + name + "} after " + unfollowed + ", where Fleetup "
                            + "cannot tell how the server's shell would read it, so it cannot quote it safely. Move "
                            + "${" + name + "} before it, or out of it, in the product profile.");
                }
            }
            out.append(rest);
            at = text.length();
        }

        private void copy(int count) {
            out.append(text, at, at + count);
            at += count;
        }
    }
}
