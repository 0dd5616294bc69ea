package org.fleetup.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.fleetup.agent.protocol.AgentSituation;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderVerifier;
import org.fleetup.agent.protocol.Refusal;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.agent.protocol.Verdict;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push agent's HTTP API: {@code POST /orders} takes a signed order (202 with its id, or 4xx with
 * {@code {"code","message"}} and nothing changed), {@code GET /orders/{id}} tells its status and steps,
 * {@code GET /status} the product and the version running. Orders are decided one at a time, recorded before they
 * are acted on, and installed one at a time; an order a restart cut short is resumed at start.
 */
final class PushAgent implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(PushAgent.class);

    // An order is a few hundred bytes; anything much larger is not one.
    private static final int MAX_ORDER_BYTES = 64 * 1024;

    private final AgentOptions options;
    private final AgentState state;
    private final OrderVerifier verifier;
    private final Comparator<String> versions;
    private final OrderInstall install;
    private final ExecutorService installs = Executors.newSingleThreadExecutor(r -> new Thread(r, "install"));
    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();

    private PushAgent(AgentOptions options, TrustedKeys trusted) throws IOException {
        this.options = options;
        this.state = AgentState.load(options.state());
        this.verifier = new OrderVerifier(trusted, Clock.systemUTC());
        VersionScheme scheme = new DefaultVersionSchemes().scheme(options.scheme());
        this.versions = (a, b) -> {
            try {
                return scheme.compare(a, b);
            } catch (FleetupException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        };
        this.install = new OrderInstall(options, state, json);
        if (options.tls() == null) {
            this.server = HttpServer.create(options.listen(), 16);
        } else {
            HttpsServer https = HttpsServer.create(options.listen(), 16);
            https.setHttpsConfigurator(new HttpsConfigurator(options.tls().context()));
            this.server = https;
        }
        server.createContext("/orders", this::orders);
        server.createContext("/status", this::status);
        server.setExecutor(Executors.newFixedThreadPool(4));
    }

    /** Starts the agent, resumes what a restart cut short, and prints where it listens. */
    static PushAgent start(AgentOptions options, PrintStream out) throws IOException {
        TrustedKeys trusted = TrustedKeys.read(options.trust());
        if (trusted.size() == 0) {
            throw new IllegalArgumentException("The trust file " + options.trust() + " holds no ssh-ed25519 key: "
                    + "this agent would accept no order. Add the controller's public key line.");
        }
        Files.createDirectories(options.root());
        PushAgent agent = new PushAgent(options, trusted);
        agent.server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "stop"));
        for (AgentState.Order unfinished : agent.state.unfinished()) {
            LOGGER.info("Resuming order {}, left {} by the last run", unfinished.id, unfinished.status.word());
            agent.installs.submit(() -> agent.install.run(unfinished));
        }
        InetSocketAddress bound = agent.server.getAddress();
        out.println("fleetup-agent " + options.id() + " listening on " + (options.tls() == null ? "http" : "https")
                + "://" + bound.getHostString() + ":" + bound.getPort() + " for " + options.product() + " in "
                + options.root() + (options.tls() == null ? "" : ", certificate " + options.tls().fingerprint()));
        out.flush();
        return agent;
    }

    private void orders(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if ("/orders".equals(path) || "/orders/".equals(path)) {
                if (!"POST".equals(exchange.getRequestMethod())) {
                    respond(exchange, 405, error("METHOD_NOT_ALLOWED", "POST a signed order to /orders."));
                    return;
                }
                receive(exchange);
                return;
            }
            String id = path.substring("/orders/".length());
            Optional<AgentState.Order> order = state.order(id);
            if (order.isEmpty()) {
                respond(exchange, 404, error("NOT_FOUND", "No order " + id + " was accepted by this agent."));
                return;
            }
            respond(exchange, 200, describe(order.get()));
        } catch (RuntimeException e) {
            LOGGER.error("A request failed", e);
            respond(exchange, 500, error("INTERNAL", e.getMessage()));
        }
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_ORDER_BYTES + 1);
        }
        if (body.length > MAX_ORDER_BYTES) {
            respond(exchange, 413, error(Refusal.Reason.MALFORMED.name(), "An order is at most " + MAX_ORDER_BYTES
                    + " bytes."));
            return;
        }
        String signed = new String(body, StandardCharsets.UTF_8);
        // One decision at a time: two orders never both pass the sequence check.
        synchronized (this) {
            Verdict verdict = verifier.verify(signed, new AgentSituation(options.id(), options.product(),
                    options.kind(), install.installed(), state.lastSequence(), versions));
            if (verdict.refusal().isPresent()) {
                Refusal refusal = verdict.refusal().get();
                LOGGER.warn("Refused an order: {} {}", refusal.reason(), refusal.message());
                respond(exchange, status(refusal.reason()), error(refusal.reason().name(), refusal.message()));
                return;
            }
            InstallOrder order = verdict.order().orElseThrow();
            if (!state.unfinished().isEmpty()) {
                respond(exchange, 409, error("BUSY", "Order " + state.unfinished().get(0).id + " is still being "
                        + "carried out; send this one again when it has ended (GET /orders/{id})."));
                return;
            }
            AgentState.Order accepted = state.accept(order.sequence(), signed);
            LOGGER.info("Accepted order {}: {} {} from {}", accepted.id, order.product(), order.version(),
                    order.url());
            installs.submit(() -> install.run(accepted));
            exchange.getResponseHeaders().add("Location", "/orders/" + accepted.id);
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", accepted.id);
            answer.put("status", OrderStatus.ACCEPTED.word());
            respond(exchange, 202, json(answer));
        }
    }

    private static int status(Refusal.Reason reason) {
        return switch (reason) {
            case MALFORMED -> 400;
            case UNSIGNED -> 401;
            case UNTRUSTED_KEY, BAD_SIGNATURE -> 403;
            case MISADDRESSED -> 421;
            case EXPIRED -> 410;
            case REPLAYED, NOT_NEWER -> 409;
            case WRONG_PRODUCT, WRONG_KIND -> 422;
        };
    }

    private String describe(AgentState.Order order) {
        InstallOrder content = OrderVerifier.accepted(order.signed);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", order.id);
        answer.put("sequence", content.sequence());
        answer.put("product", content.product());
        answer.put("version", content.version());
        answer.put("forced", content.forced());
        synchronized (state) {
            answer.put("status", order.status.word());
            answer.put("detail", order.detail);
        }
        answer.put("steps", state.steps(order).stream().map(step -> {
            Map<String, Object> each = new LinkedHashMap<>();
            each.put("status", step.status().word());
            each.put("detail", step.detail());
            each.put("at", step.at().toString());
            return each;
        }).toList());
        return json(answer);
    }

    private void status(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("agent", options.id());
            answer.put("product", options.product());
            answer.put("kind", options.kind());
            answer.put("version", install.installed().orElse(null));
            answer.put("lastSequence", state.lastSequence());
            answer.put("busy", !state.unfinished().isEmpty());
            respond(exchange, 200, json(answer));
        }
    }

    private String json(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + value + " as JSON", e);
        }
    }

    private String error(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        return json(error);
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Stops taking requests. A running install is not interrupted (an interrupt would end it failed): it stops with
     * the JVM, as after a kill, and the next start finishes it from its journal.
     */
    @Override
    public void close() {
        server.stop(0);
        installs.shutdown();
    }
}
