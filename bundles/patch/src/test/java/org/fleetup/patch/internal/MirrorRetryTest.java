package org.fleetup.patch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror that is down (a real HTTP server that refuses every call with 503) is retried with a back-off, and neither
 * it nor a mirror that never answers holds up the sync of a mirror that works.
 */
class MirrorRetryTest {

    @TempDir
    Path dir;

    private final KeyPair primary = OrderSigner.generateKeys();
    private final MemoryMirrorRegistry mirrors = new MemoryMirrorRegistry();
    private final MemoryPullRegistry pull = new MemoryPullRegistry();
    private final AtomicInteger refusals = new AtomicInteger();
    private final CountDownLatch released = new CountDownLatch(1);
    private HttpServer refusing;
    private HttpServer hanging;
    private TestMirrorServer working;
    private final ExecutorService pool = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() throws InterruptedException {
        released.countDown();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        for (HttpServer server : new HttpServer[] {refusing, hanging}) {
            if (server != null) {
                server.stop(0);
            }
        }
        if (working != null) {
            working.close();
        }
    }

    private static HttpServer server() throws IOException {
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    }

    private void add(String name, URI url) {
        mirrors.add(new Mirror(name, url, TrustedKeys.openSshLine(OrderSigner.generateKeys().getPublic(), name),
                Instant.now(), null, Mirror.NEW, "", 0, 0));
    }

    @Test
    void aMirrorThatIsDownIsRetriedWithABackOffAndBlocksNoOtherMirror() throws Exception {
        refusing = server();
        refusing.createContext("/", exchange -> {
            refusals.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        refusing.start();
        hanging = server();
        hanging.createContext("/", exchange -> {
            try {
                released.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        hanging.setExecutor(Executors.newCachedThreadPool());
        hanging.start();
        working = new TestMirrorServer(dir.resolve("working"), TrustedKeys.parse(List.of(
                TrustedKeys.openSshLine(primary.getPublic(), "primary"))));
        add("down", URI.create("http://127.0.0.1:" + refusing.getAddress().getPort()));
        add("hanging", URI.create("http://127.0.0.1:" + hanging.getAddress().getPort()));
        mirrors.add(new Mirror("working", working.url(), working.publicLine(), Instant.now(), null, Mirror.NEW, "", 0,
                0));
        pull.schedule(new ScheduledRelease("demo-app", "2.0.0", Instant.parse("2026-12-01T03:00:00Z")));
        MirrorClient client = new MirrorClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
                new MirrorSigning(primary.getPrivate(), primary.getPublic()), TestMirrorServer.API,
                Duration.ofSeconds(20), Clock.systemUTC(), TestMirrorServer.json());
        MirrorSync sync = new MirrorSync(mirrors, pull, new MemoryStore(),
                new AgentMerge(new DefaultVersionSchemes().scheme("semantic")), client, new MirrorSync.Settings(
                Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ZERO, 1000),
                Clock.systemUTC(), TestMirrorServer.json());

        sync.tick(pool);

        // The working mirror is synced and the refusing one marked down while the hanging one still waits.
        await().atMost(Duration.ofSeconds(15)).until(() -> Mirror.IN_SYNC.equals(state("working"))
                && Mirror.DOWN.equals(state("down")));
        assertThat(working.pull.scheduled("demo-app")).isPresent();
        assertThat(state("hanging")).isEqualTo(Mirror.NEW);
        Mirror down = mirrors.mirror("down").orElseThrow();
        assertThat(down.failures()).isEqualTo(1);
        assertThat(down.detail()).contains("HTTP 503");
        Instant retry = sync.nextAttempt("down");
        assertThat(retry).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(2));

        // Not before its time: a tick now leaves it alone, and the hanging mirror gets no second sync.
        sync.tick(pool);
        assertThat(refusals.get()).isEqualTo(1);

        // At its time it is retried, fails again, and waits twice as long.
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            sync.tick(pool);
            return mirrors.mirror("down").orElseThrow().failures() == 2;
        });
        assertThat(refusals.get()).isEqualTo(2);
        assertThat(sync.backOff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(sync.backOff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(sync.backOff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(sync.backOff(30)).as("at most retryMax").isEqualTo(Duration.ofSeconds(4));
        assertThat(Duration.between(Instant.now(), sync.nextAttempt("down"))).isGreaterThan(Duration.ofSeconds(1));
        assertThat(state("hanging")).as("still in its one sync").isEqualTo(Mirror.NEW);
    }

    private String state(String name) {
        return mirrors.mirror(name).orElseThrow().state();
    }
}
