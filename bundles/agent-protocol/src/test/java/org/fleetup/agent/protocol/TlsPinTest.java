package org.fleetup.agent.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real HTTPS server on 127.0.0.1 with a keytool-made certificate, asked by clients pinned to it or not. */
class TlsPinTest {

    private static final char[] PASSWORD = "secret-for-the-test".toCharArray();

    @TempDir
    Path dir;

    private TlsIdentity identity;
    private HttpsServer server;

    @BeforeEach
    void serve() throws IOException {
        identity = TlsIdentity.generate(dir.resolve("server.p12"), PASSWORD, List.of("localhost", "127.0.0.1"), 30);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(identity.context()));
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 2);
                exchange.getResponseBody().write("ok".getBytes());
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> get(String pin) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(TlsPin.context(pin))
                .connectTimeout(Duration.ofSeconds(10)).build();
        // By address, not by the name the certificate's subject says: the pin, not the name, is what is checked.
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.getAddress().getPort()
                + "/")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theFingerprintIsTheKeystoreCertificatesAsReadAgain() {
        assertThat(identity.fingerprint()).matches("SHA256:[A-Za-z0-9+/]{43}")
                .isEqualTo(TlsIdentity.read(dir.resolve("server.p12"), PASSWORD).fingerprint());
    }

    @Test
    void aClientPinnedToTheCertificateIsAnswered() throws Exception {
        assertThat(get(identity.fingerprint()).body()).isEqualTo("ok");
    }

    @Test
    void anotherPinIsRefusedWithTheFingerprintPresented() {
        String other = "SHA256:" + "A".repeat(43);

        Throwable failure = catchThrowable(() -> get(other));

        assertThat(TlsPin.Refused.in(failure)).as("refused by the pin: %s", failure).hasValueSatisfying(refused -> {
            assertThat(refused.presented()).isEqualTo(identity.fingerprint());
            assertThat(refused.expected()).contains(other);
        });
    }

    @Test
    void noPinTrustsNothingButLearnsTheFingerprint() {
        Throwable failure = catchThrowable(() -> get(null));

        assertThat(TlsPin.Refused.in(failure)).as("refused by the pin: %s", failure).hasValueSatisfying(refused -> {
            assertThat(refused.presented()).isEqualTo(identity.fingerprint());
            assertThat(refused.expected()).isEmpty();
        });
    }
}
