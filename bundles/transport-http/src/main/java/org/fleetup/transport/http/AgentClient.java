package org.fleetup.transport.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.TlsPin;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/**
 * The agent's HTTP API as the controller calls it: {@code GET /status}, {@code POST /orders}, {@code GET
 * /orders/{id}}. An agent that does not answer is {@link FleetupException#SERVER_UNREACHABLE}, so that a connect is
 * tried again as for any server; one that answers what the API does not is {@link FleetupException#TRANSPORT_FAILED}.
 */
final class AgentClient {

    /** What {@code GET /status} says. {@code version} is {@code null} when nothing is installed. */
    record Status(String agent, String product, String kind, String version, long lastSequence) {
    }

    /** What {@code GET /orders/{id}} says: {@code status} is one of the agent's words ({@code done}, ...). */
    record OrderState(String id, String product, String version, String status, String detail) {

        boolean finished() {
            return "done".equals(status) || "failed".equals(status) || "rolled-back".equals(status);
        }
    }

    /** How {@code POST /orders} was answered: {@code code} is empty when it was accepted. */
    record Answer(int status, String code, String message) {

        boolean accepted() {
            return status == 202;
        }
    }

    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration timeout;
    private final Server server;

    AgentClient(HttpClient http, ObjectMapper json, Duration timeout, Server server) {
        this.http = http;
        this.json = json;
        this.timeout = timeout;
        this.server = server;
    }

    Status status() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/status")).GET());
        JsonNode status = answer(response, 200, "/status");
        return new Status(text(status, "agent"), text(status, "product"), text(status, "kind"),
                text(status, "version"), status.path("lastSequence").asLong(0));
    }

    Answer post(String signedOrder) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/orders"))
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(signedOrder, StandardCharsets.UTF_8)));
        if (response.statusCode() == 202) {
            return new Answer(202, "", "");
        }
        JsonNode refusal = answer(response, response.statusCode(), "/orders");
        return new Answer(response.statusCode(), String.valueOf(text(refusal, "code")),
                String.valueOf(text(refusal, "message")));
    }

    /** The order the agent accepted under {@code id}, or empty when it accepted none. */
    Optional<OrderState> order(String id) {
        String path = "/orders/" + id;
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        JsonNode order = answer(response, 200, path);
        return Optional.of(new OrderState(text(order, "id"), text(order, "product"), text(order, "version"),
                text(order, "status"), text(order, "detail")));
    }

    private URI uri(String path) {
        return server.address().resolve(path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        URI uri = request.build().uri();
        try {
            return http.send(request.timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            Optional<TlsPin.Refused> refused = TlsPin.Refused.in(e);
            if (refused.isPresent()) {
                throw untrusted(refused.get(), e);
            }
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "The agent of " + server.name() + " at "
                    + uri + " did not answer (" + e + "): check that 'fleetup-agent push' runs there and listens on "
                    + server.address() + ", and that the controller can reach it.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "Interrupted while asking the agent of "
                    + server.name() + " at " + uri, e);
        }
    }

    /** As the SSH transport tells an unknown or changed host key, and with the same command to trust it. */
    private FleetupException untrusted(TlsPin.Refused refused, IOException cause) {
        String presented = refused.presented();
        if (refused.expected().isEmpty()) {
            return new FleetupException(FleetupException.HOST_KEY_UNKNOWN, "Unknown certificate for server "
                    + server.name() + " at " + server.address() + ": " + presented + ". Nothing was sent to it. Check "
                    + "it out of band (the agent prints it at start, and tls-keygen when it made it), then trust it "
                    + "with 'fleet:server-trust " + server.name() + " " + presented + "'.", cause);
        }
        return new FleetupException(FleetupException.HOST_KEY_CHANGED, "WARNING: the certificate of " + server.name()
                + " at " + server.address() + " has CHANGED: expected " + refused.expected().get() + ", the agent "
                + "presented " + presented + ". This is a possible man-in-the-middle attack, or the agent was given a "
                + "new certificate. Nothing was sent to it. Check the new one out of band; if it is genuine, trust it "
                + "with 'fleet:server-trust " + server.name() + " " + presented + "'.", cause);
    }

    private JsonNode answer(HttpResponse<String> response, int expected, String path) {
        try {
            if (response.statusCode() == expected) {
                JsonNode answer = json.readTree(response.body());
                if (answer != null && answer.isObject()) {
                    return answer;
                }
            }
        } catch (JsonProcessingException e) {
            // told below, with the body
        }
        throw new FleetupException(FleetupException.TRANSPORT_FAILED, "The agent of " + server.name() + " answered "
                + path + " with HTTP " + response.statusCode() + " and '" + abbreviated(response.body())
                + "': is " + server.address() + " a Fleetup agent of this version?");
    }

    private static String text(JsonNode json, String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String abbreviated(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
    }
}
