package org.fleetup.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import org.awaitility.Awaitility;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TlsPin;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The push agent as a real {@code java -jar} process on 127.0.0.1, orders signed by a controller key, the artifact
 * served over HTTP by the test; judged by the application root's own files.
 */
class PushAgentIT {

    private static final String AGENT = "srv-1";
    private static final String LAUNCHER_HEALTH = "current/bin/demo-app --version";

    @TempDir
    Path temp;

    private final KeyPair controller = OrderSigner.generateKeys();
    private final OrderSigner signer = new OrderSigner(controller.getPrivate(), controller.getPublic());
    private final List<AutoCloseable> started = new ArrayList<>();
    private Path root;
    private Path trust;
    private Path state;
    private Path release;

    @BeforeEach
    void lay() throws IOException {
        DemoApplication.install(temp.resolve("opt"), "1.4.2");
        root = temp.resolve("opt").resolve(DemoApplication.PRODUCT);
        trust = temp.resolve("trusted-controllers");
        Files.writeString(trust, "# the controller\n" + TrustedKeys.openSshLine(controller.getPublic(), "ctl") + "\n");
        state = temp.resolve("agent").resolve("agent.state");
        release = DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz"));
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    private <T extends AutoCloseable> T started(T thing) {
        started.add(thing);
        return thing;
    }

    private AgentProcess agent(String healthCommand, String... more) {
        List<String> options = new ArrayList<>(List.of("--root", root.toString(), "--trust", trust.toString(),
                "--state", state.toString(), "--id", AGENT, "--product", DemoApplication.PRODUCT,
                "--health-command", healthCommand, "--installable-wait", "2"));
        options.addAll(List.of(more));
        return started(AgentProcess.start(temp.resolve("home"), temp.resolve("agent.log"), options));
    }

    private ArtifactServer serving(Path artifact, long cutFirstAfter) {
        return started(new ArtifactServer(artifact, cutFirstAfter));
    }

    private String order(long sequence, String agent, Instant expires, String product, String kind, String version,
                         boolean forced, URI url, long length, String sha256, String callback) {
        return signer.sign(new InstallOrder(agent, sequence, expires, product, kind, version, forced, url, length,
                sha256, signer.keyId(), callback));
    }

    private String upgrade(long sequence, ArtifactServer artifacts, String callback) {
        return order(sequence, AGENT, Instant.now().plusSeconds(600), DemoApplication.PRODUCT, "application",
                "2.0.0", false, artifacts.url(), artifacts.length(), sha256(release), callback);
    }

    @Test
    void helpTellsHowToStartIt() throws Exception {
        Process help = new ProcessBuilder(AgentProcess.java(), "-jar", AgentProcess.jar().toString(), "--help")
                .redirectErrorStream(true).start();
        String printed = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(help.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(help.exitValue()).isZero();
        assertThat(printed).contains("push --listen HOST:PORT --root DIR --trust FILE");
    }

    @Test
    void orderSignedWithTheReadmesCommandsIsCarriedOut() throws Exception {
        Path prefix = temp.resolve("controller");
        assertThat(run("keygen", "--out", prefix.toString())).contains("controller.pub");
        trust = Path.of(prefix + ".pub");
        ArtifactServer artifacts = serving(release, -1);
        String signed = run("sign", "--key", prefix + ".key", "--pub", prefix + ".pub", "--agent", AGENT,
                "--sequence", "1", "--product", DemoApplication.PRODUCT, "--version", "2.0.0",
                "--url", artifacts.url().toString(), "--length", Long.toString(artifacts.length()),
                "--sha256", sha256(release));
        AgentProcess agent = agent(LAUNCHER_HEALTH);

        assertThat(agent.post("/orders", signed).statusCode()).isEqualTo(202);
        agent.awaitStatus("1", "done");
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
    }

    @Test
    void withItsKeystoreTheAgentSpeaksHttpsOnlyAndTellsItsCertificate() throws Exception {
        Path keystore = temp.resolve("agent.p12");
        Path password = temp.resolve("agent.password");
        String made = run("tls-keygen", "--out", keystore.toString(), "--tls-password-file", password.toString(),
                "--hosts", "localhost,127.0.0.1");
        Matcher printed = Pattern.compile("certificate (SHA256:[A-Za-z0-9+/]{43})").matcher(made);
        assertThat(printed.find()).as(made).isTrue();
        String fingerprint = printed.group(1);
        assertThat(Files.getPosixFilePermissions(password)).as("a password only its owner reads")
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        AgentProcess agent = agent(LAUNCHER_HEALTH, "--tls-keystore", keystore.toString(), "--tls-password-file",
                password.toString());

        assertThat(agent.base().getScheme()).isEqualTo("https");
        assertThat(agent.log()).contains("certificate " + fingerprint);
        HttpClient pinned = HttpClient.newBuilder().sslContext(TlsPin.context(fingerprint))
                .connectTimeout(AgentProcess.WAIT).build();
        HttpResponse<String> status = pinned.send(HttpRequest.newBuilder(agent.base().resolve("/status"))
                .timeout(AgentProcess.WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).contains("\"version\":\"1.4.2\"");
        URI plain = URI.create("http://127.0.0.1:" + agent.base().getPort() + "/status");
        HttpClient client = HttpClient.newBuilder().connectTimeout(AgentProcess.WAIT).build();
        assertThat(catchThrowable(() -> client.send(HttpRequest.newBuilder(plain).timeout(AgentProcess.WAIT).build(),
                HttpResponse.BodyHandlers.ofString()))).as("no plain HTTP on its port").isInstanceOf(IOException.class);
    }

    private static String run(String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(AgentProcess.java(), "-jar", AgentProcess.jar().toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(printed).isZero();
        return printed;
    }

    @Test
    void signedOrderUpgradesTheReleaseDirectoryAndSendsTheCompletion() throws Exception {
        ArtifactServer artifacts = serving(release, -1);
        List<String> completions = new CopyOnWriteArrayList<>();
        HttpServer callback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        callback.createContext("/done", exchange -> {
            completions.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        callback.start();
        started(() -> callback.stop(0));
        AgentProcess agent = agent(LAUNCHER_HEALTH);

        HttpResponse<String> accepted = agent.post("/orders", upgrade(8, artifacts,
                "http://127.0.0.1:" + callback.getAddress().getPort() + "/done"));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.body()).isEqualTo("{\"id\":\"8\",\"status\":\"accepted\"}");
        String done = agent.awaitStatus("8", "done");
        assertThat(done).contains("\"status\":\"accepted\"", "\"status\":\"downloading\"",
                "\"status\":\"installing\"");
        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
        assertThat(Files.readString(root.resolve("releases/2.0.0/VERSION"))).isEqualTo("2.0.0\n");
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
        assertThat(root.resolve("releases/1.4.2/VERSION")).exists();
        assertThat(agent.get("/status").body()).contains("\"product\":\"demo-app\"", "\"version\":\"2.0.0\"");
        Awaitility.await("the completion").atMost(AgentProcess.WAIT).until(() -> !completions.isEmpty());
        assertThat(completions.get(0)).contains("\"agent\":\"srv-1\"", "\"order\":\"8\"", "\"status\":\"done\"",
                "\"from\":\"1.4.2\"", "\"to\":\"2.0.0\"");
    }

    @Test
    void restartCommandRunsAfterTheSwitchAndAfterTheRollback() throws Exception {
        Path hook = temp.resolve("home").resolve(DemoApplication.HEALTH_HOOK);
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "if [ \"$demo_app_version\" = 2.0.0 ]; then echo broken >&2; exit 1; fi\n");
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH, "--restart-command", "cat current/VERSION >> restarts.log");

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        agent.awaitStatus("8", "rolled-back");

        assertThat(Files.readAllLines(root.resolve("restarts.log"))).containsExactly("2.0.0", "1.4.2");
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("1.4.2\n");
    }

    @Test
    void healthUrlIsCheckedInsteadOfTheHealthCommand() throws Exception {
        // The application's own health endpoint, answering the version current points to.
        HttpServer health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        health.createContext("/version", exchange -> {
            byte[] version = Files.readAllBytes(root.resolve("current/VERSION"));
            exchange.sendResponseHeaders(200, version.length);
            exchange.getResponseBody().write(version);
            exchange.close();
        });
        health.start();
        started(() -> health.stop(0));
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent("false", "--health-url",
                "http://127.0.0.1:" + health.getAddress().getPort() + "/version");

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        String done = agent.awaitStatus("8", "done");

        assertThat(done).contains("fetching http://127.0.0.1:" + health.getAddress().getPort() + "/version");
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
    }

    @Test
    void badOrdersAreRefusedWithTheirCodeAndChangeNothing() throws Exception {
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH);
        Instant later = Instant.now().plusSeconds(600);
        URI url = artifacts.url();
        long length = artifacts.length();
        String sha = sha256(release);
        String product = DemoApplication.PRODUCT;
        KeyPair stranger = OrderSigner.generateKeys();
        OrderSigner strangerSigner = new OrderSigner(stranger.getPrivate(), stranger.getPublic());
        String good = upgrade(8, artifacts, "");
        Map<String, String> before = snapshot(root);

        Map<String, Object[]> bad = new TreeMap<>(Map.of(
                "unsigned", new Object[] {good.substring(0, good.indexOf("signature: ")), 401, "UNSIGNED"},
                "tampered", new Object[] {good.replace("version: 2.0.0", "version: 2.0.1"), 403, "BAD_SIGNATURE"},
                "stranger", new Object[] {strangerSigner.sign(new InstallOrder(AGENT, 8, later, product,
                        "application", "2.0.0", false, url, length, sha, strangerSigner.keyId(), "")), 403,
                        "UNTRUSTED_KEY"},
                "misaddressed", new Object[] {order(8, "srv-2", later, product, "application", "2.0.0", false,
                        url, length, sha, ""), 421, "MISADDRESSED"},
                "stale", new Object[] {order(8, AGENT, Instant.now().minusSeconds(1), product, "application",
                        "2.0.0", false, url, length, sha, ""), 410, "EXPIRED"},
                "other product", new Object[] {order(8, AGENT, later, "other-app", "application", "2.0.0", false,
                        url, length, sha, ""), 422, "WRONG_PRODUCT"},
                "other kind", new Object[] {order(8, AGENT, later, product, "firmware", "2.0.0", false, url,
                        length, sha, ""), 422, "WRONG_KIND"},
                "downgrade", new Object[] {order(8, AGENT, later, product, "application", "1.0.0", false, url,
                        length, sha, ""), 409, "NOT_NEWER"},
                "same version", new Object[] {order(8, AGENT, later, product, "application", "1.4.2", false, url,
                        length, sha, ""), 409, "NOT_NEWER"},
                "not an order", new Object[] {"{\"version\":\"2.0.0\"}", 400, "MALFORMED"}));
        for (Map.Entry<String, Object[]> each : bad.entrySet()) {
            HttpResponse<String> refused = agent.post("/orders", (String) each.getValue()[0]);

            assertThat(refused.statusCode()).as(each.getKey() + ": " + refused.body()).isEqualTo(each.getValue()[1]);
            assertThat(refused.body()).as(each.getKey())
                    .startsWith("{\"code\":\"" + each.getValue()[2] + "\",\"message\":\"");
        }

        assertThat(agent.get("/orders/8").statusCode()).isEqualTo(404);
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(state).doesNotExist();
        assertThat(artifacts.ranges).isEmpty();
        assertThat(agent.get("/status").body()).contains("\"version\":\"1.4.2\"", "\"lastSequence\":0");
    }

    @Test
    void replayedOrderIsRefusedEvenAfterARestart() throws Exception {
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess first = agent(LAUNCHER_HEALTH);
        String signed = upgrade(8, artifacts, "");
        assertThat(first.post("/orders", signed).statusCode()).isEqualTo(202);
        first.awaitStatus("8", "done");
        first.kill();
        Map<String, String> before = snapshot(root);
        byte[] stateBefore = Files.readAllBytes(state);

        AgentProcess second = agent(LAUNCHER_HEALTH);
        HttpResponse<String> replayed = second.post("/orders", signed);
        HttpResponse<String> sameSequence = second.post("/orders", order(8, AGENT, Instant.now().plusSeconds(600),
                DemoApplication.PRODUCT, "application", "2.0.1", false, artifacts.url(), artifacts.length(),
                sha256(release), ""));

        assertThat(replayed.statusCode()).isEqualTo(409);
        assertThat(replayed.body()).startsWith("{\"code\":\"REPLAYED\"");
        assertThat(sameSequence.body()).startsWith("{\"code\":\"REPLAYED\"");
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(Files.readAllBytes(state)).isEqualTo(stateBefore);
        assertThat(second.get("/orders/8").body()).contains("\"status\":\"done\"");
    }

    @Test
    void downgradeSignedAsForcedGoesBackToTheOlderRelease() throws Exception {
        ArtifactServer newer = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH);
        assertThat(agent.post("/orders", upgrade(8, newer, "")).statusCode()).isEqualTo(202);
        agent.awaitStatus("8", "done");
        Path older = DemoApplication.writeRelease("1.4.2", temp.resolve("demo-app-1.4.2.tar.gz"));
        ArtifactServer artifacts = serving(older, -1);

        HttpResponse<String> accepted = agent.post("/orders", order(9, AGENT, Instant.now().plusSeconds(600),
                DemoApplication.PRODUCT, "application", "1.4.2", true, artifacts.url(), artifacts.length(),
                sha256(older), ""));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        agent.awaitStatus("9", "done");
        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("1.4.2\n");
    }

    @Test
    void artifactNotMatchingTheOrdersHashFailsAndChangesNothing() throws Exception {
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH);
        Map<String, String> before = snapshot(root);
        String otherHash = sha256(trust);

        assertThat(agent.post("/orders", order(8, AGENT, Instant.now().plusSeconds(600), DemoApplication.PRODUCT,
                "application", "2.0.0", false, artifacts.url(), artifacts.length(), otherHash, "")).statusCode())
                .isEqualTo(202);
        String failed = agent.awaitStatus("8", "failed");

        assertThat(failed).contains("has the SHA-256 " + sha256(release) + ", the order says " + otherHash);
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(root.resolve("releases/2.0.0")).doesNotExist();
    }

    @Test
    void failingHealthCheckRollsBackToTheOldRelease() throws Exception {
        // The new release's launcher fails its check; the old one still passes, so the rollback is verified.
        Path hook = temp.resolve("home").resolve(DemoApplication.HEALTH_HOOK);
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "if [ \"$demo_app_version\" = 2.0.0 ]; then echo broken >&2; exit 1; fi\n");
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH);

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        String rolledBack = agent.awaitStatus("8", "rolled-back");

        assertThat(rolledBack).contains("rolled back to 1.4.2");
        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/1.4.2"));
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("1.4.2\n");
        assertThat(root.resolve("releases/2.0.0")).doesNotExist();
    }

    @Test
    void busyServerIsWaitedForThenCannotInstallAndIsUnchanged() throws Exception {
        Files.writeString(root.resolve(".busy"), "backup running\n");
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess agent = agent(LAUNCHER_HEALTH);
        Map<String, String> before = snapshot(root);

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        String failed = agent.awaitStatus("8", "failed");

        assertThat(failed).contains("\"status\":\"waiting-installable\"", "\"detail\":\"cannot install: ");
        assertThat(snapshot(root)).isEqualTo(before);
        assertThat(artifacts.ranges).isEmpty();
    }

    @ParameterizedTest(name = "SIGKILL: {0}")
    @ValueSource(booleans = {true, false})
    void agentStoppedMidInstallFinishesItAfterItsRestart(boolean forcibly) throws Exception {
        // The health check waits for the test's gate: the agent is killed while the unit has switched and checks.
        String gated = "while [ ! -e gate ]; do sleep 0.1; done; " + LAUNCHER_HEALTH;
        ArtifactServer artifacts = serving(release, -1);
        AgentProcess first = agent(gated);
        assertThat(first.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        Awaitility.await("the unit switched").atMost(AgentProcess.WAIT)
                .until(() -> unitJournals().contains("switched releases/2.0.0"));
        HttpResponse<String> meanwhile = first.post("/orders", order(9, AGENT, Instant.now().plusSeconds(600),
                DemoApplication.PRODUCT, "application", "2.0.1", false, artifacts.url(), artifacts.length(),
                sha256(release), ""));
        assertThat(meanwhile.statusCode()).isEqualTo(409);
        assertThat(meanwhile.body()).startsWith("{\"code\":\"BUSY\"");

        if (forcibly) {
            first.kill();
        } else {
            first.close();
        }
        AgentProcess second = agent(gated);
        Files.writeString(root.resolve("gate"), "");
        second.awaitStatus("8", "done");

        assertThat(Files.readSymbolicLink(root.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
        assertThat(unitJournals()).contains("healthy");
        assertThat(second.get("/status").body()).contains("\"version\":\"2.0.0\"", "\"lastSequence\":8",
                "\"busy\":false");
    }

    @Test
    void droppedDownloadResumesWithRange() throws Exception {
        Path large = DemoApplication.writeRelease("2.0.0", temp.resolve("large/demo-app-2.0.0.tar.gz"),
                4 * 1024 * 1024);
        release = large;
        long half = Files.size(large) / 2;
        ArtifactServer artifacts = serving(large, half);
        AgentProcess agent = agent(LAUNCHER_HEALTH);

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        String done = agent.awaitStatus("8", "done");

        // The second request asks for the rest of what arrived (a cut connection may lose a little in flight).
        assertThat(artifacts.ranges).hasSize(2).first().isEqualTo("");
        long resumedAt = Long.parseLong(artifacts.ranges.get(1).replaceAll("bytes=(\\d+)-", "$1"));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(half);
        assertThat(done).contains("resuming the download at byte " + resumedAt + " of " + Files.size(large));
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
    }

    @Test
    void downloadGoneSilentIsResumedAfterTheStallTimeout() throws Exception {
        Path large = DemoApplication.writeRelease("2.0.0", temp.resolve("large/demo-app-2.0.0.tar.gz"),
                4 * 1024 * 1024);
        release = large;
        ArtifactServer artifacts = started(new ArtifactServer(large, Files.size(large) / 2, true));
        AgentProcess agent = agent(LAUNCHER_HEALTH, "--download-stall", "2");

        assertThat(agent.post("/orders", upgrade(8, artifacts, "")).statusCode()).isEqualTo(202);
        String done = agent.awaitStatus("8", "done");

        assertThat(artifacts.ranges).hasSize(2).first().isEqualTo("");
        assertThat(artifacts.ranges.get(1)).matches("bytes=[1-9][0-9]*-");
        assertThat(done).contains("(no byte came for 2 s)");
        assertThat(Files.readString(root.resolve("current/VERSION"))).isEqualTo("2.0.0\n");
    }

    private String unitJournals() throws IOException {
        Path units = root.resolve(".fleetup");
        if (!Files.isDirectory(units)) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(units)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".journal")).toList()) {
                all.append(Files.readString(file));
            }
        }
        return all.toString();
    }

    /** Every file, link and directory under {@code directory}: content hashes and link targets. */
    private static Map<String, String> snapshot(Path directory) throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.toList()) {
                String name = directory.relativize(path).toString();
                if (Files.isSymbolicLink(path)) {
                    found.put(name, "-> " + Files.readSymbolicLink(path));
                } else if (Files.isDirectory(path)) {
                    found.put(name, "dir");
                } else {
                    found.put(name, sha256(path));
                }
            }
        }
        return found;
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
