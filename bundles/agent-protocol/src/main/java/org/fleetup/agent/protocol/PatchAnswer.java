package org.fleetup.agent.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The patch server's answer to a {@link PatchCheck}, {@code text/plain}: {@code name: value} lines, then, for an
 * update, a blank line and the signed install order as {@link OrderSigner#sign} writes it.
 *
 * <pre>
 * action: none              nothing newer; next-check, when present, is a published release's time
 * next-check: 2026-12-01T15:00:00Z
 *
 * action: moved             the patch server moved: check there now and from now on
 * server: http://patch2:8181
 *
 * action: update            a newer release: install the order below (verified like a pushed one)
 *
 * fleetup-install-order: 1
 * ...
 * </pre>
 *
 * A server too busy answers HTTP 503 with {@code Retry-After} instead.
 *
 * @param action what the agent is to do
 * @param nextCheck for {@link Action#NONE}: when to come back at the latest
 * @param server for {@link Action#MOVED}: the new base URL
 * @param order for {@link Action#UPDATE}: the signed order
 */
public record PatchAnswer(Action action, Optional<Instant> nextCheck, Optional<URI> server, Optional<String> order) {

    /** What the agent is to do. */
    public enum Action { NONE, MOVED, UPDATE }

    public PatchAnswer {
        Objects.requireNonNull(action, "action");
        if (action == Action.MOVED && server.isEmpty()) {
            throw new IllegalArgumentException("a move names the new server");
        }
        if (action == Action.UPDATE && order.isEmpty()) {
            throw new IllegalArgumentException("an update carries the signed order");
        }
        server.ifPresent(PatchAnswer::requireHttp);
    }

    public static PatchAnswer none(Instant nextCheck) {
        return new PatchAnswer(Action.NONE, Optional.ofNullable(nextCheck), Optional.empty(), Optional.empty());
    }

    public static PatchAnswer moved(URI server) {
        return new PatchAnswer(Action.MOVED, Optional.empty(), Optional.of(server), Optional.empty());
    }

    public static PatchAnswer update(String signedOrder) {
        return new PatchAnswer(Action.UPDATE, Optional.empty(), Optional.empty(), Optional.of(signedOrder));
    }

    public String text() {
        return switch (action) {
            case NONE -> lines(PatchCheck.ordered("action", "none", "next-check",
                    nextCheck.map(Instant::toString).orElse("")), "action", "next-check");
            case MOVED -> lines(PatchCheck.ordered("action", "moved", "server", server.orElseThrow().toString()),
                    "action", "server");
            case UPDATE -> "action: update\n\n" + order.orElseThrow();
        };
    }

    /** @throws IllegalArgumentException when {@code text} is not an answer, in words for the agent's log */
    public static PatchAnswer parse(String text) {
        int blank = text.indexOf("\n\n");
        Map<String, String> fields = fields(blank < 0 ? text : text.substring(0, blank + 1));
        String action = fields.get("action");
        if (action == null) {
            throw new IllegalArgumentException("the answer names no action");
        }
        try {
            return switch (action) {
                case "none" -> none(fields.getOrDefault("next-check", "").isEmpty() ? null
                        : Instant.parse(fields.get("next-check")));
                case "moved" -> moved(new URI(Optional.ofNullable(fields.get("server")).orElseThrow(
                        () -> new IllegalArgumentException("the move names no server"))));
                case "update" -> {
                    if (blank < 0) {
                        throw new IllegalArgumentException("the update carries no order");
                    }
                    yield update(text.substring(blank + 2));
                }
                default -> throw new IllegalArgumentException("the action '" + action + "' is none of none, moved, "
                        + "update");
            };
        } catch (DateTimeParseException | URISyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static String lines(Map<String, String> fields, String... order) {
        StringBuilder text = new StringBuilder();
        for (String name : order) {
            requireValue(name, fields.get(name));
            text.append(name).append(": ").append(fields.get(name)).append('\n');
        }
        return text.toString();
    }

    static Map<String, String> fields(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("the line '" + abbreviated(line) + "' is not 'name: value'");
            }
            fields.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return fields;
    }

    private static String abbreviated(String line) {
        return line.length() > 60 ? line.substring(0, 60) + "..." : line;
    }

    static void requireValue(String name, String value) {
        if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(name + " must be one line");
        }
    }

    private static void requireHttp(URI server) {
        if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme()) || server.getHost() == null) {
            throw new IllegalArgumentException("the server must be an http or https URL with a host, not " + server);
        }
    }
}
