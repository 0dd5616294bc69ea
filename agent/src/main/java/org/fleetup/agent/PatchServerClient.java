package org.fleetup.agent;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.PatchAnswer;
import org.fleetup.agent.protocol.PatchCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pull agent's calls to its patch server: a check, and feedback on what it did with an offer. */
final class PatchServerClient {

    /** The server is overloaded and said when to come back (HTTP 503 with {@code Retry-After}). */
    static final class ComeBackLater extends Exception {
        private static final long serialVersionUID = 1L;
        final Duration after;

        ComeBackLater(Duration after) {
            super("the patch server is busy: come back in " + after.toSeconds() + " s");
            this.after = after;
        }
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(PatchServerClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    // Far more than any answer: a check answer with a signed order is a few hundred bytes.
    private static final int MAX_ANSWER = 64 * 1024;
    private static final Duration DEFAULT_RETRY = Duration.ofSeconds(60);

    // Redirects are not followed: a move is an answer the agent decides on (and remembers), not a transport detail.
    private final ObjectMapper json = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(TIMEOUT).build();

    static URI api(URI server) {
        return URI.create(server.toString().replaceAll("/+$", "") + PatchCheck.API + "/");
    }

    static URI feedback(URI server, String mac) {
        return api(server).resolve("agents/" + mac + "/feedback");
    }

    /**
     * @throws IOException when the server cannot be reached or answers with an error
     * @throws ComeBackLater when it is overloaded
     * @throws IllegalArgumentException when its answer is not one, in words for the log
     */
    PatchAnswer check(URI server, String mac, PatchCheck check) throws IOException, ComeBackLater {
        HttpRequest request = HttpRequest.newBuilder(api(server).resolve("agents/" + mac + "/check"))
                .timeout(TIMEOUT).header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(check.text())).build();
        HttpResponse<byte[]> response = send(request);
        int status = response.statusCode();
        if (status == 503) {
            throw new ComeBackLater(retryAfter(response.headers().firstValue("Retry-After")));
        }
        if (status / 100 == 3) {
            throw new IllegalArgumentException("the patch server answered HTTP " + status + " (a redirect) to "
                    + response.headers().firstValue("Location").orElse("nowhere") + ": a patch server moves agents"
                    + " with a 'moved' answer");
        }
        if (status != 200) {
            throw new IOException("the patch server answered HTTP " + status + ": "
                    + new String(response.body(), StandardCharsets.UTF_8).lines().findFirst().orElse(""));
        }
        if (response.body().length > MAX_ANSWER) {
            throw new IllegalArgumentException("the answer is longer than " + MAX_ANSWER + " bytes");
        }
        return PatchAnswer.parse(new String(response.body(), StandardCharsets.UTF_8));
    }

    /** Tells the patch server a step; a feedback that fails is logged, never a reason to stop. */
    void feedback(URI url, Map<String, ?> message) {
        try {
            HttpResponse<byte[]> response = send(HttpRequest.newBuilder(url).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(message))).build());
            if (response.statusCode() / 100 != 2) {
                LOGGER.warn("The patch server answered HTTP {} to the feedback {}", response.statusCode(), message);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not send the feedback {} to {}: {}", message, url, e.getMessage());
        }
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the agent is stopping", e);
        }
    }

    // Retry-After in seconds; an HTTP date is rare from a patch server, and a minute is a safe stand-in.
    private static Duration retryAfter(Optional<String> header) {
        try {
            long seconds = Long.parseLong(header.orElse("").strip());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : DEFAULT_RETRY;
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY;
        }
    }
}
