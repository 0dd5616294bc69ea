package org.fleetup.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** The agent as operators run it: {@code java -jar fleetup-agent.jar push ...}, a real process the test owns. */
final class AgentProcess implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);
    // An install that waits for its on-server unit may take up to four command timeouts (30 s each) on a loaded host.
    private static final Duration INSTALL_WAIT = Duration.ofSeconds(150);
    private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern LISTENING = Pattern.compile("listening on (https?://127\\.0\\.0\\.1:\\d+)");

    private final Process process;
    private final Path log;
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private AgentProcess(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.base = base;
    }

    static Path jar() {
        return Path.of(System.getProperty("fleetup.agent.jar", "target/fleetup-agent.jar"));
    }

    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** Starts the agent with {@code options} after {@code push}, its home {@code home}, and waits until it listens. */
    static AgentProcess start(Path home, Path log, List<String> options) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar().toString(), "push",
                "--listen", "127.0.0.1:0"));
        command.addAll(options);
        try {
            Files.createDirectories(home);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("HOME", home.toString());
            long before = Files.exists(log) ? Files.size(log) : 0;
            Process process = builder.start();
            String[] url = new String[1];
            Awaitility.await("the agent listens").atMost(WAIT).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The agent ended: " + Files.readString(log));
                }
                String text = Files.readString(log);
                Matcher matcher = LISTENING.matcher(text.substring((int) Math.min(before, text.length())));
                if (matcher.find()) {
                    url[0] = matcher.group(1);
                    return true;
                }
                return false;
            });
            return new AgentProcess(process, log, URI.create(url[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where it listens: {@code http://127.0.0.1:PORT}, or {@code https://} when started with a keystore. */
    URI base() {
        return base;
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT).GET().build());
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
                    last[0] = send(HttpRequest.newBuilder(base.resolve("/orders/" + id)).timeout(POLL_TIMEOUT)
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
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: nothing of the agent runs on, no shutdown hook. */
    void kill() {
        process.destroyForcibly();
        waitForEnd();
    }

    private void waitForEnd() {
        try {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("The agent did not end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            waitForEnd();
        }
    }
}
