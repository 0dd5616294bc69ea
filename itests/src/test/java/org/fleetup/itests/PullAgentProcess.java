package org.fleetup.itests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.fleetup.simulator.DemoApplication;

/**
 * A pull agent as operators run it for the demo app, {@code java -jar fleetup-agent.jar pull ...}: its directories
 * under {@code work} (the app's 1.4.2 installed, its HOME, its state, its log), its process restartable, its output
 * appended to the log, stopped by its own handle. Used by the tests in the container and by those of processes alike.
 */
public final class PullAgentProcess {

    public final String mac;
    public final Path work;
    public final Path root;
    public final Path log;
    public final Path state;
    private final Path trust;
    private final String interval;
    private Process process;

    /** {@code trust}: the controllers' keys it trusts; {@code interval}: its {@code --interval}. */
    public PullAgentProcess(Path work, String mac, Path trust, String interval) throws IOException {
        this.mac = mac;
        this.work = work;
        this.trust = trust;
        this.interval = interval;
        DemoApplication.install(work.resolve("opt"), "1.4.2");
        this.root = work.resolve("opt").resolve(DemoApplication.PRODUCT);
        this.log = work.resolve("agent.log");
        this.state = work.resolve("state").resolve("pull.state");
        Files.createDirectories(work.resolve("home"));
    }

    /** Starts it pulling from {@code server}, the jar the {@code fleetup.agent.jar} system property names. */
    public PullAgentProcess start(String server) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", Path.of(System.getProperty("fleetup.agent.jar")).toAbsolutePath().toString(),
                "pull", "--server", server, "--product", DemoApplication.PRODUCT, "--root", root.toString(),
                "--trust", trust.toString(), "--mac", mac, "--address", "127.0.0.1", "--interval", interval,
                "--state", state.toString(), "--health-command", "current/bin/demo-app --version",
                "--installable-wait", "2")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("HOME", work.resolve("home").toString());
        process = builder.start();
        return this;
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Where {@code current} links to, relative ({@code releases/1.4.2}). */
    public String current() {
        try {
            return Files.readSymbolicLink(root.resolve("current")).toString();
        } catch (IOException e) {
            return "unreadable: " + e;
        }
    }

    public String version() throws IOException {
        return Files.readString(root.resolve("current/VERSION")).strip();
    }

    public Instant switchedAt() throws IOException {
        return Files.readAttributes(root.resolve("current"), BasicFileAttributes.class,
                LinkOption.NOFOLLOW_LINKS).lastModifiedTime().toInstant();
    }

    /** Its state file, empty until it has written it. */
    public Properties state() {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(state)) {
            properties.load(in);
        } catch (IOException e) {
            // not written yet
        }
        return properties;
    }

    /** All its log holds, earlier runs' output included; empty before its first start. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, by its own handle, when it runs. */
    public void kill() throws InterruptedException {
        if (alive()) {
            process.destroyForcibly();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("The pull agent " + mac + " did not end within 60 s");
            }
        }
    }
}
