package org.fleetup.patch.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.comparison.internal.DefaultVersionSchemes;

/**
 * A mirror on a real HTTP server on 127.0.0.1: {@link MirrorReceiver} behind the JDK's server, routed as
 * {@link MirrorResource} routes it in Karaf, with its own registries, store and key.
 */
final class TestMirrorServer implements AutoCloseable {

    static final String API = "/cxf/fleetup/mirror/v1";
    private static final Pattern BLOB = Pattern.compile(API + "/blobs/([^/?]+)");

    final MemoryPullRegistry pull = new MemoryPullRegistry();
    final MemoryMirrorRegistry sequences = new MemoryMirrorRegistry();
    final MemoryStore store = new MemoryStore();
    final KeyPair keys = OrderSigner.generateKeys();
    /** The requests it was sent: {@code PUT blobs/<sha>?offset=N&size=M}, {@code POST sync}... */
    final List<String> requests = new CopyOnWriteArrayList<>();
    /** The schedules it published, each recorded with a rollout of its own as the mirror's engine records them. */
    final List<ScheduledRelease> published = new CopyOnWriteArrayList<>();
    final MirrorReceiver receiver;
    private final HttpServer server;

    TestMirrorServer(Path incoming, TrustedKeys primaries) throws IOException {
        receiver = new MirrorReceiver(() -> primaries, new MirrorSigning(keys.getPrivate(), keys.getPublic()),
                sequences, pull, new PublishingRollouts(), store, new AgentMerge(new DefaultVersionSchemes().scheme("semantic")), incoming,
                Duration.ofMinutes(5), Clock.systemUTC(), json());
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext(API + "/", this::serve);
        server.start();
    }

    static ObjectMapper json() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    String publicLine() {
        return TrustedKeys.openSshLine(keys.getPublic(), "test-mirror");
    }

    private void serve(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String key = exchange.getRequestHeaders().getFirst(MirrorSigning.KEY);
        String sequence = exchange.getRequestHeaders().getFirst(MirrorSigning.SEQUENCE);
        String timestamp = exchange.getRequestHeaders().getFirst(MirrorSigning.TIMESTAMP);
        String signature = exchange.getRequestHeaders().getFirst(MirrorSigning.SIGNATURE);
        MirrorReceiver.Reply reply;
        Matcher blob = BLOB.matcher(path);
        if (path.equals(API + "/hello")) {
            requests.add("POST hello");
            reply = receiver.handle("POST hello", key, sequence, timestamp, signature, body,
                    () -> new MirrorMessages.Hello(key));
        } else if (path.equals(API + "/sync")) {
            requests.add("POST sync");
            reply = receiver.handle("POST sync", key, sequence, timestamp, signature, body,
                    () -> receiver.sync(receiver.syncRequest(body)));
        } else if (blob.matches()) {
            long offset = Long.parseLong(query.getOrDefault("offset", "0"));
            long size = Long.parseLong(query.getOrDefault("size", "0"));
            String resource = MirrorClient.blobResource(blob.group(1), offset, size);
            requests.add(resource);
            reply = receiver.handle(resource, key, sequence, timestamp, signature, body,
                    () -> receiver.blob(blob.group(1), offset, size, body));
        } else {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
            return;
        }
        exchange.getResponseHeaders().add(MirrorSigning.KEY, reply.keyId());
        exchange.getResponseHeaders().add(MirrorSigning.SIGNATURE, reply.signature());
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    private static Map<String, String> query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return Map.of();
        }
        java.util.Map<String, String> values = new java.util.HashMap<>();
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            values.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return values;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** The mirror's engine as far as the receiver uses it: publishing records the schedule with a rollout. */
    private final class PublishingRollouts implements PullRollouts {

        @Override
        public ScheduledRelease publish(ScheduledRelease release, String actor) {
            ScheduledRelease recorded = release.withRollout("mirror-rollout-" + (published.size() + 1));
            published.add(recorded);
            pull.schedule(recorded);
            return recorded;
        }

        @Override
        public Turn turn(ScheduledRelease release, String mac) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void step(ScheduledRelease release, String mac, StepState step, String detail) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PlanEntry> plan(Release release, boolean allowDowngrade) {
            throw new UnsupportedOperationException();
        }
    }
}
