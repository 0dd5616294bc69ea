package org.fleetup.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.fleetup.testing.RunningAgent;

/** The agent as operators run it ({@link RunningAgent}), with the HTTP its tests speak to it. */
final class AgentProcess implements AutoCloseable {

    static final Duration WAIT = RunningAgent.WAIT;
    // An install that waits for its on-server unit may take up to four command timeouts (30 s each) on a loaded host.
    private static final Duration INSTALL_WAIT = Duration.ofSeconds(150);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);

    private final RunningAgent agent;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private AgentProcess(RunningAgent agent) {
        this.agent = agent;
    }

    static Path jar() {
        return RunningAgent.jar("target/fleetup-agent.jar");
    }

    static String java() {
        return RunningAgent.java();
    }

    /** Starts the agent with {@code options} after {@code push}, its home {@code home}, and waits until it listens. */
    static AgentProcess start(Path home, Path log, List<String> options) {
        return new AgentProcess(RunningAgent.start(jar(), home, log, options));
    }

    /** Where it listens: {@code http://127.0.0.1:PORT}, or {@code https://} when started with a keystore. */
    URI base() {
        return agent.address();
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(base().resolve(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base().resolve(path)).timeout(WAIT).GET().build());
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the order's status is {@code status}, failing early on another final one. */
    String awaitStatus(String id, String status) {
        String[] last = new String[1];
        try {
            // A poll that fails is told at the end, with the agent's log, instead of ending the wait at once.
            Awaitility.await("order " + id + " " + status).atMost(INSTALL_WAIT).until(() -> {
                try {
                    last[0] = send(HttpRequest.newBuilder(base().resolve("/orders/" + id)).timeout(POLL_TIMEOUT)
                            .GET().build()).body();
                } catch (RuntimeException e) {
                    last[0] = "no answer: " + e;
                    return false;
                }
                return last[0].contains("\"status\":\"" + status + "\",\"detail\"");
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Order " + id + " did not end " + status + ": " + last[0] + "\nThe agent's log:\n"
                    + log(), e);
        }
        return last[0];
    }

    String log() {
        return agent.log();
    }

    /** SIGKILL: nothing of the agent runs on, no shutdown hook. */
    void kill() {
        agent.kill();
    }

    @Override
    public void close() {
        agent.close();
    }
}
