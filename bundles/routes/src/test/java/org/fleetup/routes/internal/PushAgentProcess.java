package org.fleetup.routes.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.RunningAgent;

/**
 * A push agent as operators run it ({@link RunningAgent}): a real process on 127.0.0.1 the test owns, with its own
 * home and its own application root holding the demo application.
 */
final class PushAgentProcess implements AutoCloseable {

    private final RunningAgent agent;
    private final Path dir;

    private PushAgentProcess(RunningAgent agent, Path dir) {
        this.agent = agent;
        this.dir = dir;
    }

    /**
     * Lays out {@code dir} (home, {@code opt/demo-app} at {@code version}, a trust file holding {@code trustedLine})
     * and starts the agent {@code id} on it; {@code more} options are added (the last of a name counts).
     */
    static PushAgentProcess start(Path dir, String id, String version, String trustedLine, String... more) {
        try {
            Path root = dir.resolve("opt").resolve(DemoApplication.PRODUCT);
            if (Files.notExists(root)) {
                DemoApplication.install(dir.resolve("opt"), version);
                Files.writeString(dir.resolve("trusted-controllers"), "# the controller\n" + trustedLine + "\n");
            }
            return restart(dir, id, more);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the agent {@code id} on what {@code dir} holds, as an earlier one left it; {@code more} options added. */
    static PushAgentProcess restart(Path dir, String id, String... more) {
        List<String> options = new ArrayList<>(List.of(
                "--root", dir.resolve("opt").resolve(DemoApplication.PRODUCT).toString(),
                "--trust", dir.resolve("trusted-controllers").toString(),
                "--state", dir.resolve("agent.state").toString(), "--id", id,
                "--product", DemoApplication.PRODUCT, "--health-command", "current/bin/demo-app --version",
                "--restart-command", "cat current/VERSION >> ../restarts.log", "--installable-wait", "2"));
        options.addAll(List.of(more));
        return new PushAgentProcess(RunningAgent.start(RunningAgent.jar("../../agent/target/fleetup-agent.jar"),
                dir.resolve("home"), dir.resolve("agent.log"), options), dir);
    }

    /** {@code http://127.0.0.1:PORT} ({@code https://} with a keystore), the server's address in the inventory. */
    URI address() {
        return agent.address();
    }

    Path root() {
        return dir.resolve("opt").resolve(DemoApplication.PRODUCT);
    }

    /** Makes the demo application's launcher fail its health check when it is {@code version}. */
    void failHealthOf(String version) throws IOException {
        Path hook = dir.resolve("home").resolve(DemoApplication.HEALTH_HOOK);
        Files.createDirectories(hook.getParent());
        Files.writeString(hook, "if [ \"$demo_app_version\" = " + version + " ]; then echo broken >&2; exit 1; fi\n");
    }

    /** The versions the restart command saw, one per activation (after the switch, after a switch back). */
    List<String> restarts() throws IOException {
        Path log = root().resolve("../restarts.log").normalize();
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** What {@code GET /status} answers, as JSON text. */
    String status() throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(address().resolve("/status")).timeout(RunningAgent.WAIT).GET()
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    String log() {
        return agent.log();
    }

    /** SIGKILL: nothing of the agent runs on, whatever it was doing. */
    void kill() {
        agent.kill();
    }

    @Override
    public void close() {
        agent.close();
    }
}
