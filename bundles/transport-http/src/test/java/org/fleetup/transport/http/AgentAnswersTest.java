package org.fleetup.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the controller makes of an agent's answers, from a real HTTP server on 127.0.0.1 standing for the agent. */
class AgentAnswersTest {

    private final AtomicReference<String> status = new AtomicReference<>();
    private HttpServer agent;
    private AgentTransport transport;
    private Server server;

    @BeforeEach
    void serve() throws IOException {
        agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        agent.createContext("/status", exchange -> {
            try (exchange) {
                byte[] body = status.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        agent.start();
        transport = new AgentTransport(new AgentSettings(URI.create("http://127.0.0.1:1"), Duration.ofSeconds(10),
                Duration.ofSeconds(600), Duration.ofSeconds(60), Duration.ofSeconds(1), 3), null, null,
                ServerTrust.inMemory());
        server = new Server("srv-1", null, URI.create("http://127.0.0.1:" + agent.getAddress().getPort()),
                Map.of(), Map.of());
    }

    @AfterEach
    void stop() {
        agent.stop(0);
    }

    @Test
    void theStatusIsReadWhateverItsFieldsOrderAndExtras() {
        status.set("{\"busy\":false,\"version\":\"1.4.2\",\"lastSequence\":7,\"product\":\"demo-app\","
                + "\"kind\":\"application\",\"agent\":\"srv-1\",\"added\":{\"later\":[1,2]}}");

        Inspection inspection = transport.inspect(server, "demo-app");

        assertThat(inspection.status()).isEqualTo(Inspection.Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
    }

    @Test
    void aNullVersionIsNothingInstalled() {
        status.set("{\"agent\":\"srv-1\",\"product\":\"demo-app\",\"kind\":\"application\",\"version\":null,"
                + "\"lastSequence\":0}");

        assertThat(transport.inspect(server, "demo-app").status()).isEqualTo(Inspection.Status.NOT_INSTALLED);
    }

    @Test
    void anAnswerThatIsNoJsonObjectFailsTheServerWithWhatCame() {
        for (String body : new String[] {"<html>a proxy's page</html>", "[\"a list\"]", "{\"cut\":"}) {
            status.set(body);

            Inspection inspection = transport.inspect(server, "demo-app");

            assertThat(inspection.status()).as(body).isEqualTo(Inspection.Status.FAILED);
            assertThat(inspection.detail()).as(body).contains("answered /status with HTTP 200 and '" + body + "'",
                    "a Fleetup agent of this version?");
        }
    }
}
