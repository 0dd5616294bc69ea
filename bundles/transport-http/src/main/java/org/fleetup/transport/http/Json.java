package org.fleetup.transport.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the little JSON an agent answers with (objects, lists, strings, numbers, booleans, null): enough for
 * {@code /status} and {@code /orders/{id}}, with no library for the core feature to carry.
 */
final class Json {

    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** @throws IllegalArgumentException when {@code text} is not one JSON object */
    static Map<String, Object> object(String text) {
        Json json = new Json(text);
        json.blanks();
        if (!json.next('{')) {
            throw new IllegalArgumentException("not a JSON object: " + abbreviated(text));
        }
        Map<String, Object> object = json.objectRest();
        json.blanks();
        if (json.at != text.length()) {
            throw new IllegalArgumentException("text after the JSON object: " + abbreviated(text));
        }
        return object;
    }

    private Object value() {
        blanks();
        if (next('{')) {
            return objectRest();
        }
        if (next('[')) {
            List<Object> list = new ArrayList<>();
            blanks();
            if (next(']')) {
                return list;
            }
            do {
                list.add(value());
                blanks();
            } while (next(','));
            expect(']');
            return list;
        }
        if (next('"')) {
            return stringRest();
        }
        int start = at;
        while (at < text.length() && "{}[],: \t\r\n\"".indexOf(text.charAt(at)) < 0) {
            at++;
        }
        String word = text.substring(start, at);
        return switch (word) {
            case "null" -> null;
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> {
                try {
                    yield word.contains(".") || word.contains("e") || word.contains("E")
                            ? (Object) Double.valueOf(word) : (Object) Long.valueOf(word);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a JSON value at " + start + ": '" + word + "'", e);
                }
            }
        };
    }

    private Map<String, Object> objectRest() {
        Map<String, Object> object = new LinkedHashMap<>();
        blanks();
        if (next('}')) {
            return object;
        }
        do {
            blanks();
            expect('"');
            String name = stringRest();
            blanks();
            expect(':');
            object.put(name, value());
            blanks();
        } while (next(','));
        expect('}');
        return object;
    }

    private String stringRest() {
        StringBuilder out = new StringBuilder();
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (at >= text.length()) {
                break;
            }
            char escaped = text.charAt(at++);
            switch (escaped) {
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (at + 4 > text.length()) {
                        throw new IllegalArgumentException("a \\u escape cut short at " + at);
                    }
                    out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    at += 4;
                }
                default -> out.append(escaped);
            }
        }
        throw new IllegalArgumentException("a JSON string not closed");
    }

    private void blanks() {
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
    }

    private boolean next(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!next(c)) {
            throw new IllegalArgumentException("expected '" + c + "' at " + at + " of " + abbreviated(text));
        }
    }

    private static String abbreviated(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }
}
