package org.fleetup.agent.protocol;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An order to one agent to install one release. Its {@linkplain #canonical() canonical bytes} are what the controller
 * signs: UTF-8, one {@code name: value} line per field, each ended by {@code \n}, the fields always in this order:
 *
 * <pre>
 * fleetup-install-order: 1
 * agent: srv-17                 the agent it is addressed to (its --id)
 * sequence: 42                  higher than every order the agent accepted before
 * expires: 2026-12-01T12:00:00Z an ISO-8601 instant, after which the agent refuses it
 * product: demo-app
 * kind: application
 * version: 2.0.0
 * forced: false                 true: a downgrade (or the same version) the controller means
 * url: http://controller:8181/artifacts/...   where the agent fetches the artifact
 * length: 1048576               its exact length in bytes
 * sha256: 9f86d0...             its SHA-256, lower-case hex
 * key: SHA256:AbC...            the id of the signing key ({@link TrustedKeys#keyId})
 * callback: http://...          where the agent posts the completion ("" for none)
 * </pre>
 *
 * Values hold no line break and no leading or trailing blank; names, versions and the agent id are plain words. One
 * writer ({@link #canonical()}) makes the bytes and the reader accepts only what it would write, so that one order has
 * exactly one signed form.
 *
 * @param agent the id of the agent it is addressed to
 * @param sequence the order's number in the controller's sequence for this agent, positive
 * @param expires when it stops being valid
 * @param forced whether a version not newer than the running one is meant
 * @param url where the artifact is fetched, {@code http} or {@code https}
 * @param length the artifact's exact length in bytes
 * @param sha256 the artifact's SHA-256, lower-case hex
 * @param key the signing key's id
 * @param callback where the completion is posted; {@code ""} for nowhere
 */
public record InstallOrder(String agent, long sequence, Instant expires, String product, String kind,
                           String version, boolean forced, URI url, long length, String sha256, String key,
                           String callback) {

    static final String HEADER = "fleetup-install-order: 1";

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> FIELDS = List.of("agent", "sequence", "expires", "product", "kind", "version",
            "forced", "url", "length", "sha256", "key", "callback");

    /** @throws IllegalArgumentException when a field is missing or not what the format allows */
    public InstallOrder {
        requireWord("agent", agent);
        requireWord("product", product);
        requireWord("kind", kind);
        requireWord("version", version);
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(url, "url");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be positive, not " + sequence);
        }
        if (length < 0) {
            throw new IllegalArgumentException("length must not be negative, not " + length);
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("url must be an http or https URL with a host, not " + url);
        }
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, not " + sha256);
        }
        requireValue("key", key);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        callback = callback == null ? "" : callback;
        requireValue("callback", callback);
        if (!callback.isEmpty()) {
            URI uri = URI.create(callback);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException("callback must be an http or https URL, not " + callback);
            }
        }
        requireValue("url", url.toString());
    }

    /** The bytes the signature covers, as documented above. */
    public byte[] canonical() {
        return text().getBytes(StandardCharsets.UTF_8);
    }

    String text() {
        List<String> values = List.of(agent, Long.toString(sequence), expires.toString(), product, kind, version,
                Boolean.toString(forced), url.toString(), Long.toString(length), sha256, key, callback);
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < FIELDS.size(); i++) {
            text.append(FIELDS.get(i)).append(": ").append(values.get(i)).append('\n');
        }
        return text.toString();
    }

    /**
     * Reads canonical text back.
     *
     * @throws IllegalArgumentException when it is not exactly what {@link #canonical()} writes for some order
     */
    static InstallOrder parse(String text) {
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the order does not end with a line break");
        }
        String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
        if (lines.length != FIELDS.size() + 1 || !HEADER.equals(lines[0])) {
            throw new IllegalArgumentException("the order is not '" + HEADER + "' followed by the " + FIELDS.size()
                    + " fields " + String.join(", ", FIELDS));
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < FIELDS.size(); i++) {
            String prefix = FIELDS.get(i) + ": ";
            String line = lines[i + 1];
            if (!line.startsWith(prefix) && !line.equals(prefix.strip())) {
                throw new IllegalArgumentException("line " + (i + 2) + " is not the field '" + FIELDS.get(i) + "'");
            }
            values.add(line.length() > prefix.length() ? line.substring(prefix.length()) : "");
        }
        try {
            InstallOrder order = new InstallOrder(values.get(0), Long.parseLong(values.get(1)),
                    Instant.parse(values.get(2)), values.get(3), values.get(4), values.get(5),
                    parseBoolean(values.get(6)), new URI(values.get(7)), Long.parseLong(values.get(8)), values.get(9),
                    values.get(10), values.get(11));
            if (!order.text().equals(text)) {
                throw new IllegalArgumentException("the order is not in its canonical form (a number or instant "
                        + "written otherwise, or a blank too many)");
            }
            return order;
        } catch (NumberFormatException | DateTimeParseException | java.net.URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static boolean parseBoolean(String value) {
        return switch (value) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("forced must be true or false, not " + value);
        };
    }

    private static void requireWord(String name, String value) {
        if (value == null || !WORD.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be a plain word (letters, digits, . _ + ~ -), not '"
                    + value + "'");
        }
    }

    private static void requireValue(String name, String value) {
        if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || !value.equals(value.strip())) {
            throw new IllegalArgumentException(name + " must hold no line break and no leading or trailing blank");
        }
    }
}
