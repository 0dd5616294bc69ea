package org.fleetup.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

/**
 * The push agent as operators run it, {@code java -jar fleetup-agent.jar push --listen 127.0.0.1:0 ...}: a real process
 * the test owns, its output appended to a log file, stopped by its own handle. What each module's tests lay out around
 * it (roots, trust files, HTTP clients) stays with them.
 */
public final class RunningAgent implements AutoCloseable {

    /** How long the agent is given to start, and to stop. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private static final Pattern LISTENING = Pattern.compile("listening on (https?://127\\.0\\.0\\.1:\\d+)");

    private final Process process;
    private final Path log;
    private final URI address;

    private RunningAgent(Process process, Path log, URI address) {
        this.process = process;
        this.log = log;
        this.address = address;
    }

    /**
     * The agent's jar: the {@code fleetup.agent.jar} system property, else {@code fallback} (relative to the module).
     *
     * @throws IllegalStateException when it was not built
     */
    public static Path jar(String fallback) {
        Path jar = Path.of(System.getProperty("fleetup.agent.jar", fallback));
        if (Files.notExists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the agent first (mvn verify -pl agent, or "
                    + "-pl <this module> -am verify, which does)");
        }
        return jar;
    }

    /** The java command running this test, for the agent to run on the same JDK. */
    public static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /**
     * Starts {@code java -jar jar push --listen 127.0.0.1:0} and {@code options} (the last of a name counts), with
     * {@code home} as its HOME, and waits until it says where it listens.
     */
    public static RunningAgent start(Path jar, Path home, Path log, List<String> options) {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString(), "push",
                "--listen", "127.0.0.1:0"));
        command.addAll(options);
        try {
            Files.createDirectories(home);
            long before = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().put("HOME", home.toString());
            Process process = builder.start();
            String[] url = new String[1];
            try {
                Awaitility.await("the agent listens").atMost(WAIT).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("The agent ended: " + Files.readString(log));
                    }
                    String text = Files.readString(log);
                    // Only what this run printed: a restarted agent appends to its predecessor's log.
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
            return new RunningAgent(process, log, URI.create(url[0]));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://} when it serves TLS. */
    public URI address() {
        return address;
    }

    /** All its log file holds, earlier runs' output included. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: nothing of the agent runs on, no shutdown hook. */
    public void kill() {
        process.destroyForcibly();
        waitForEnd();
    }

    private void waitForEnd() {
        try {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("The agent did not end within " + WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, as an operator stops it; SIGKILL if it does not end. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
