package org.fleetup.agent.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's artifact server, as an agent downloads from it: whole, or resumed with Range. */
class ArtifactServerTest {

    @TempDir
    Path dir;

    private byte[] bytes;
    private Release release;
    private ArtifactServer server;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void serve() throws IOException {
        bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        Path artifact = Files.write(dir.resolve("demo-app-2.0.0.tar.gz"), bytes);
        release = new Release("demo-app", "2.0.0", null, "ab".repeat(32), bytes.length,
                artifact.getFileName().toString(), Instant.now());
        server = new ArtifactServer(new OneFileStore(release, artifact), new InetSocketAddress("127.0.0.1", 0), 2);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(URI uri, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        if (range != null) {
            request.header("Range", range);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private URI url() {
        return ArtifactServer.url(URI.create("http://127.0.0.1:" + server.address().getPort()), release);
    }

    @Test
    void servesTheArtifactWholeWithItsExactLength() throws Exception {
        HttpResponse<byte[]> response = get(url(), null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(bytes.length);
        assertThat(response.body()).isEqualTo(bytes);
    }

    @Test
    void resumesFromTheByteARangeAsks() throws Exception {
        HttpResponse<byte[]> response = get(url(), "bytes=123456-");

        assertThat(response.statusCode()).isEqualTo(206);
        assertThat(response.headers().firstValue("Content-Range"))
                .hasValue("bytes 123456-" + (bytes.length - 1) + "/" + bytes.length);
        assertThat(response.body()).isEqualTo(Arrays.copyOfRange(bytes, 123456, bytes.length));
    }

    @Test
    void anUnknownArtifactIsNotFound() throws Exception {
        URI other = URI.create("http://127.0.0.1:" + server.address().getPort() + "/artifacts/" + "cd".repeat(32));

        assertThat(get(other, null).statusCode()).isEqualTo(404);
    }

    /** A store of one release, read from a file. */
    private record OneFileStore(Release release, Path file) implements ReleaseStore {

        @Override
        public Release add(String product, String version, String kind, String fileName, InputStream content) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Release> find(String product, String version) {
            return Optional.of(release).filter(r -> r.product().equals(product) && r.version().equals(version));
        }

        @Override
        public List<Release> list() {
            return List.of(release);
        }

        @Override
        public InputStream open(Release which) {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
