package org.fleetup.patch.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;

/**
 * The primary's calls to a mirror: signed with the primary's key, sequenced above every call made before, each
 * bounded by a timeout; an answer counts only when it is signed by the key pinned for that mirror, for that call.
 */
final class MirrorClient {

    /** A verified answer. */
    record Answer(int status, byte[] body) {
    }

    private final HttpClient http;
    private final MirrorSigning own;
    private final String apiPath;
    private final Duration timeout;
    private final Clock clock;
    private final ObjectMapper json;
    private final AtomicLong sequence = new AtomicLong();

    /** @param apiPath where a mirror's API lies under its base URL, {@code /cxf/fleetup/mirror/v1} */
    MirrorClient(HttpClient http, MirrorSigning own, String apiPath, Duration timeout, Clock clock,
                 ObjectMapper json) {
        this.http = http;
        this.own = own;
        this.apiPath = apiPath;
        this.timeout = timeout;
        this.clock = clock;
        this.json = json;
    }

    static String blobResource(String sha256, long offset, long size) {
        return "PUT blobs/" + sha256 + "?offset=" + offset + "&size=" + size;
    }

    /**
     * Above every sequence this primary used, across restarts too: microseconds of the clock, or one more than the
     * last.
     */
    private long nextSequence() {
        long now = clock.millis() * 1000;
        return sequence.updateAndGet(last -> Math.max(last + 1, now));
    }

    Answer hello(Mirror mirror) {
        return send(mirror, "POST", "hello", "POST hello", "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    Answer sync(Mirror mirror, Object request) {
        try {
            return send(mirror, "POST", "sync", "POST sync", "application/json", json.writeValueAsBytes(request));
        } catch (IOException e) {
            throw new IllegalStateException("The sync request does not serialise: " + e.getMessage(), e);
        }
    }

    Answer blob(Mirror mirror, String sha256, long offset, long size, byte[] bytes) {
        return send(mirror, "PUT", "blobs/" + sha256 + "?offset=" + offset + "&size=" + size,
                blobResource(sha256, offset, size), "application/octet-stream", bytes);
    }

    private Answer send(Mirror mirror, String method, String path, String resource, String type, byte[] body) {
        long number = nextSequence();
        Instant now = clock.instant();
        String signature = own.sign(MirrorSigning.request(resource, own.keyId(), number, now, body));
        URI uri = uri(mirror.url(), path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Content-Type", type)
                .header(MirrorSigning.KEY, own.keyId()).header(MirrorSigning.SEQUENCE, Long.toString(number))
                .header(MirrorSigning.TIMESTAMP, now.toString()).header(MirrorSigning.SIGNATURE, signature)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "Mirror " + mirror.name() + " at "
                    + mirror.url() + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "Mirror " + mirror.name() + " at "
                    + mirror.url() + " cannot be reached: " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "Interrupted while calling mirror "
                    + mirror.name());
        }
        PublicKey pinned = pinned(mirror);
        String replySignature = response.headers().firstValue(MirrorSigning.SIGNATURE).orElse("");
        if (!MirrorSigning.verify(pinned, MirrorSigning.reply(signature, response.statusCode(), response.body()),
                replySignature)) {
            throw new FleetupException(FleetupException.AUTHENTICATION_FAILED, "Mirror " + mirror.name() + " at "
                    + mirror.url() + " answered " + method + " " + path.replaceAll("\\?.*", "") + " with HTTP "
                    + response.statusCode() + " not signed by its pinned key " + TrustedKeys.keyId(pinned)
                    + ": it is not that mirror, or not a Fleetup mirror there. Check the URL, and the key "
                    + "'fleet:agent-key' prints on the mirror.");
        }
        return new Answer(response.statusCode(), response.body());
    }

    static PublicKey pinned(Mirror mirror) {
        return TrustedKeys.parse(List.of(mirror.publicKey())).keys().get(0);
    }

    private URI uri(URI base, String path) {
        String root = base.toString().replaceAll("/+$", "");
        return URI.create(root + apiPath + "/" + path);
    }
}
