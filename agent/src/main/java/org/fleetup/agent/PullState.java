package org.fleetup.agent;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;

/**
 * What the pull agent keeps across restarts: the patch server's address (a move the server told is remembered), the
 * check interval, the next check time and the version it applied. Written durably on every change, before the agent
 * acts on it. The options given at start seed a new state; once there is one, its address wins over {@code --server}
 * (a move the patch server told outlives the command line that started the agent), while {@code --interval} is the
 * operator's latest word and replaces the kept interval at every start.
 */
final class PullState {

    private final Path file;
    private URI server;
    private Duration interval;
    private Instant nextCheck;
    private String applied;

    private PullState(Path file, URI server, Duration interval, Instant nextCheck, String applied) {
        this.file = file;
        this.server = server;
        this.interval = interval;
        this.nextCheck = nextCheck;
        this.applied = applied;
    }

    /**
     * Reads the state file, or starts one from the options: the first check is now.
     *
     * @param server the {@code --server} given; used when the file holds none
     * @param interval the {@code --interval} given; it replaces the kept one (the operator changed it)
     */
    static PullState load(Path file, URI server, Duration interval) {
        PullState state = new PullState(file, server, interval, Instant.now(), "");
        if (Files.exists(file)) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                properties.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the pull agent's state " + file, e);
            }
            state.server = URI.create(properties.getProperty("server", server.toString()));
            state.nextCheck = Instant.parse(properties.getProperty("nextCheck", Instant.now().toString()));
            state.applied = properties.getProperty("applied", "");
        }
        state.save();
        return state;
    }

    synchronized URI server() {
        return server;
    }

    synchronized Duration interval() {
        return interval;
    }

    synchronized Instant nextCheck() {
        return nextCheck;
    }

    synchronized Optional<String> applied() {
        return applied.isEmpty() ? Optional.empty() : Optional.of(applied);
    }

    /** The patch server moved: from now on every check goes to {@code to}. */
    synchronized void moved(URI to) {
        server = to;
        save();
    }

    synchronized void checked(Instant next, Optional<String> running) {
        nextCheck = next;
        applied = running.orElse("");
        save();
    }

    private void save() {
        Properties properties = new Properties();
        properties.setProperty("server", server.toString());
        properties.setProperty("interval", interval.toString());
        properties.setProperty("nextCheck", nextCheck.toString());
        properties.setProperty("applied", applied);
        AgentState.writeDurably(file, properties, "Fleetup pull agent: patch server, interval, next check, applied");
    }
}
