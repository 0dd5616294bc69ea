package org.fleetup.agent.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the store's artifacts to the agents, by SHA-256: {@code GET /artifacts/<sha256>/<file name>} with its exact
 * {@code Content-Length}, and {@code Range: bytes=N-} (or {@code N-M}) answered {@code 206} so that an agent resumes a
 * broken download. It is the JDK's HTTP server on an address of its own rather than Karaf's HTTP service: the core
 * feature carries no web container, and the agents' port can be opened in a firewall apart from any console. Over TLS
 * for the agents the controller reaches over TLS: the signed SHA-256 already proves the bytes, TLS keeps them secret.
 */
public final class ArtifactServer implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(ArtifactServer.class);
    private static final Pattern PATH = Pattern.compile("/artifacts/([0-9a-f]{64})(/[^/]*)?");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final ReleaseStore store;
    private final HttpServer server;
    private final ExecutorService workers;

    /** Listens on {@code listen} (port 0: any free one) at once. */
    public ArtifactServer(ReleaseStore store, InetSocketAddress listen, int threads) throws IOException {
        this(store, listen, threads, null);
    }

    /** Listens on {@code listen} at once, over TLS with {@code tls} (a server context) unless it is {@code null}. */
    public ArtifactServer(ReleaseStore store, InetSocketAddress listen, int threads, SSLContext tls)
            throws IOException {
        this.store = store;
        if (tls == null) {
            this.server = HttpServer.create(listen, 32);
        } else {
            HttpsServer https = HttpsServer.create(listen, 32);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        this.workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "fleetup-artifacts");
            thread.setDaemon(true);
            return thread;
        });
        server.createContext("/artifacts/", this::serve);
        server.setExecutor(workers);
        server.start();
    }

    /**
     * The address of an {@code artifactListen} setting, {@code host:port}.
     *
     * @throws IllegalArgumentException naming the setting when it is not one
     */
    public static InetSocketAddress listenAddress(String hostPort) {
        URI uri = URI.create("http://" + hostPort.strip());
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("artifactListen must be host:port, not '" + hostPort + "'");
        }
        return new InetSocketAddress(uri.getHost(), uri.getPort());
    }

    /** Where it listens, with the port it was given. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The path of a release's artifact, under the base URL the agents know; the base's fragment (a pin) kept. */
    public static URI url(URI base, Release release) {
        String text = base.toString();
        int hash = text.indexOf('#');
        String root = hash < 0 ? text : text.substring(0, hash);
        root = root.endsWith("/") ? root : root + "/";
        return URI.create(root + "artifacts/" + release.sha256() + "/" + release.fileName()
                + (hash < 0 ? "" : text.substring(hash)));
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = PATH.matcher(exchange.getRequestURI().getPath());
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            Optional<Release> release = path.matches() ? release(path.group(1)) : Optional.empty();
            if (release.isEmpty()) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            send(exchange, release.get());
        } catch (IOException | RuntimeException e) {
            // The agent sees the connection end short and resumes with Range; the controller's log says why.
            LOGGER.warn("Serving {} to {} failed: {}", exchange.getRequestURI(), exchange.getRemoteAddress(),
                    e.toString());
        }
    }

    private Optional<Release> release(String sha256) {
        return store.list().stream().filter(release -> release.sha256().equals(sha256)).findFirst();
    }

    private void send(HttpExchange exchange, Release release) throws IOException {
        long size = release.size();
        long from = 0;
        long to = size - 1;
        String range = exchange.getRequestHeaders().getFirst("Range");
        Matcher asked = range == null ? null : RANGE.matcher(range.strip());
        boolean partial = asked != null && asked.matches();
        if (partial) {
            from = Long.parseLong(asked.group(1));
            to = asked.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(asked.group(2)), size - 1);
            if (from > to) {
                exchange.getResponseHeaders().set("Content-Range", "bytes */" + size);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
        }
        exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        long length = to - from + 1;
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(partial ? 206 : 200, head ? -1 : length == 0 ? -1 : length);
        if (head || length == 0) {
            return;
        }
        try (InputStream content = store.open(release); OutputStream body = exchange.getResponseBody()) {
            content.skipNBytes(from);
            long left = length;
            byte[] buffer = new byte[64 * 1024];
            while (left > 0) {
                int read = content.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new IOException("the store's artifact of " + release.coordinates() + " ended "
                            + left + " bytes short");
                }
                body.write(buffer, 0, read);
                left -= read;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
