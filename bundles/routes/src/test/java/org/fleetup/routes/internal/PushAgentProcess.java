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
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.fleetup.simulator.DemoApplication;

/**
 * A push agent as operators run it, {@code java -jar fleetup-agent.jar push ...}: a real process on 127.0.0.1 the test
 * owns, with its own home and its own application root holding the demo application.
 */
final class PushAgentProcess implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on (https?://127\\.0\\.0\\.1:\\d+)");

    private final Process process;
    private final Path dir;
    private final URI address;

    private PushAgentProcess(Process process, Path dir, URI address) {
        this.process = process;
        this.dir = dir;
        this.address = address;
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
    static PushAgentProcess restart(Path dir, String id, String... more) throws IOException {
        Path jar = Path.of(System.getProperty("fleetup.agent.jar", "../../agent/target/fleetup-agent.jar"));
        if (Files.notExists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the agent first (mvn verify -pl agent, or "
                    + "-pl bundles/routes -am verify, which does)");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", jar.toString(), "push", "--listen", "127.0.0.1:0",
                "--root", dir.resolve("opt").resolve(DemoApplication.PRODUCT).toString(),
                "--trust", dir.resolve("trusted-controllers").toString(),
                "--state", dir.resolve("agent.state").toString(), "--id", id,
                "--product", DemoApplication.PRODUCT, "--health-command", "current/bin/demo-app --version",
                "--restart-command", "cat current/VERSION >> ../restarts.log", "--installable-wait", "2"));
        command.addAll(List.of(more));
        Path home = Files.createDirectories(dir.resolve("home"));
        Path log = dir.resolve("agent.log");
        long before = Files.exists(log) ? Files.size(log) : 0;
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("HOME", home.toString());
        Process process = builder.start();
        String[] url = new String[1];
        try {
            Awaitility.await("agent " + id + " listens").atMost(START).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("The agent ended: " + Files.readString(log));
                }
                String text = Files.readString(log);
                Matcher matcher = LISTENING.matcher(text.substring((int) Math.min(before, text.length())));
                if (matcher.find()) {
                    url[0] = matcher.group(1);
                    return true;
                }
                return false;
            });
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        return new PushAgentProcess(process, dir, URI.create(url[0]));
    }

    /** {@code http://127.0.0.1:PORT}, the server's address in the inventory. */
    URI address() {
        return address;
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
        return client.send(HttpRequest.newBuilder(address.resolve("/status")).timeout(START).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("agent.log"));
    }

    /** SIGKILL: nothing of the agent runs on, whatever it was doing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(START.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
