package org.fleetup.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.PatchAnswer;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull agent as a real process against a patch server that answers badly (a small fake: the real one never
 * does): each bad answer is refused with a clear reason reported back, and nothing changes on the agent's root.
 */
class PullAgentBadInputIT {

    private static final String MAC = "02-00-00-00-00-0b";

    @TempDir
    Path temp;

    private final KeyPair controller = OrderSigner.generateKeys();
    private final OrderSigner signer = new OrderSigner(controller.getPrivate(), controller.getPublic());
    private final List<String> feedback = new CopyOnWriteArrayList<>();
    private final List<Instant> checks = new CopyOnWriteArrayList<>();
    private volatile boolean busy;
    private HttpServer server;
    private volatile Function<String, String> answers = path -> "action: none\nnext-check: \n";
    private Process agent;
    private Path root;
    private Path trust;
    private Path log;
    private byte[] release;

    @BeforeEach
    void lay() throws IOException {
        DemoApplication.install(temp.resolve("opt"), "1.4.2");
        root = temp.resolve("opt").resolve(DemoApplication.PRODUCT);
        trust = temp.resolve("trusted-controllers");
        Files.writeString(trust, TrustedKeys.openSshLine(controller.getPublic(), "ctl") + "\n");
        release = Files.readAllBytes(DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz")));
        log = temp.resolve("agent.log");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::serve);
        server.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.destroyForcibly();
            agent.waitFor(60, TimeUnit.SECONDS);
        }
        server.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.endsWith("/feedback")) {
                feedback.add(new String(body, StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
            } else if (path.equals("/artifact/whole")) {
                exchange.sendResponseHeaders(200, release.length);
                exchange.getResponseBody().write(release);
            } else if (path.equals("/artifact/truncated")) {
                // Announces the whole length, sends half, and closes: every request, resumed or not.
                exchange.sendResponseHeaders(200, release.length);
                OutputStream out = exchange.getResponseBody();
                out.write(release, 0, release.length / 2);
                out.flush();
                throw new IOException("cut");
            } else {
                checks.add(Instant.now());
                if (busy) {
                    exchange.getResponseHeaders().set("Retry-After", "3");
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                byte[] answer = answers.apply(path).getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void startAgent() throws IOException {
        agent = new ProcessBuilder(AgentProcess.java(), "-jar", AgentProcess.jar().toString(), "pull",
                "--server", base().toString(), "--product", DemoApplication.PRODUCT, "--root", root.toString(),
                "--trust", trust.toString(), "--mac", MAC, "--interval", "1h",
                "--state", temp.resolve("state").resolve("pull.state").toString(),
                "--health-command", "current/bin/demo-app --version")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private String order(String version, String url, String sha256, OrderSigner by) {
        return by.sign(new InstallOrder(MAC, 1, Instant.now().plusSeconds(600), DemoApplication.PRODUCT,
                "application", version, false, URI.create(base() + url), release.length, sha256, by.keyId(),
                base() + "/cxf/fleetup/ddi/v1/agents/" + MAC + "/feedback"));
    }

    private String awaitFeedback(String fragment) {
        Awaitility.await("feedback with " + fragment).atMost(AgentProcess.WAIT)
                .until(() -> feedback.stream().anyMatch(f -> f.contains(fragment)) || !agent.isAlive());
        assertThat(agent.isAlive()).as(log()).isTrue();
        return feedback.stream().filter(f -> f.contains(fragment)).findFirst().orElseThrow();
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void assertRootUnchanged() throws IOException {
        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("1.4.2\n");
        assertThat(root.resolve("releases/2.0.0")).doesNotExist();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void unsignedReleaseIsRefused() throws Exception {
        String signed = order("2.0.0", "/artifact/whole", sha256(release), signer);
        String unsigned = signed.substring(0, signed.lastIndexOf("signature: "));
        answers = path -> PatchAnswer.update(unsigned).text();
        startAgent();

        assertThat(awaitFeedback("\"status\":\"refused\"")).contains("\"code\":\"UNSIGNED\"");
        assertThat(log()).contains("Refused the release offered by", "UNSIGNED");
        assertRootUnchanged();
    }

    @Test
    void releaseSignedByAnUntrustedKeyIsRefused() throws Exception {
        KeyPair stranger = OrderSigner.generateKeys();
        String signed = order("2.0.0", "/artifact/whole", sha256(release),
                new OrderSigner(stranger.getPrivate(), stranger.getPublic()));
        answers = path -> PatchAnswer.update(signed).text();
        startAgent();

        assertThat(awaitFeedback("\"status\":\"refused\"")).contains("\"code\":\"UNTRUSTED_KEY\"");
        assertRootUnchanged();
    }

    @Test
    void wrongHashIsRefusedAndNothingInstalled() throws Exception {
        String signed = order("2.0.0", "/artifact/whole", "0".repeat(64), signer);
        answers = path -> PatchAnswer.update(signed).text();
        startAgent();

        assertThat(awaitFeedback("\"status\":\"failed\"")).contains("SHA-256");
        assertRootUnchanged();
    }

    @Test
    void truncatedDownloadIsRefusedAndNothingInstalled() throws Exception {
        String signed = order("2.0.0", "/artifact/truncated", sha256(release), signer);
        answers = path -> PatchAnswer.update(signed).text();
        startAgent();

        assertThat(awaitFeedback("\"status\":\"failed\"")).contains("Could not fetch", "whole");
        assertThat(feedback).anyMatch(f -> f.contains("\"status\":\"downloading\""));
        assertRootUnchanged();
    }

    @Test
    void malformedAnswerIsRefused() throws Exception {
        answers = path -> "<html>hello</html>\n";
        startAgent();

        assertThat(awaitFeedback("\"status\":\"refused\"")).contains("\"code\":\"MALFORMED\"");
        assertThat(log()).contains("Refused the answer of the patch server");
        assertRootUnchanged();
    }

    @Test
    void redirectLoopIsRefusedAndTheAddressKept() throws Exception {
        // The base moves the agent to /b, and /b moves it back to the base: round and round.
        answers = path -> path.startsWith("/b/") ? PatchAnswer.moved(base()).text()
                : PatchAnswer.moved(URI.create(base() + "/b")).text();
        startAgent();

        assertThat(awaitFeedback("\"status\":\"refused\"")).contains("\"code\":\"REDIRECT_LOOP\"");
        Properties state = new Properties();
        Awaitility.await("the state written after the check").atMost(AgentProcess.WAIT).until(() -> {
            try (var in = Files.newBufferedReader(temp.resolve("state").resolve("pull.state"))) {
                state.load(in);
            }
            return Instant.parse(state.getProperty("nextCheck")).isAfter(Instant.now().plusSeconds(600));
        });
        assertThat(state.getProperty("server")).isEqualTo(base().toString());
        assertRootUnchanged();
    }

    @Test
    void anUnreachableServerIsRetriedWithBackOff() throws Exception {
        server.stop(0);
        startAgent();

        Awaitility.await("two failed checks").atMost(AgentProcess.WAIT)
                .until(() -> log().split("could not be reached", -1).length > 2);
        assertThat(agent.isAlive()).isTrue();
        assertRootUnchanged();
        List<String> none = new ArrayList<>(feedback);
        assertThat(none).isEmpty();
    }

    @Test
    void anOverloadedServerIsObeyed() throws Exception {
        busy = true;
        startAgent();

        Awaitility.await("two checks").atMost(AgentProcess.WAIT).until(() -> checks.size() >= 2);
        assertThat(java.time.Duration.between(checks.get(0), checks.get(1))).as(log())
                .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(2900));
        assertThat(log()).contains("is busy: coming back in 3 s, as it asked");
        assertThat(agent.isAlive()).isTrue();
        assertRootUnchanged();
    }
}
