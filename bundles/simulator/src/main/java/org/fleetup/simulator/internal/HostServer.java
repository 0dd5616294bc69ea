package org.fleetup.simulator.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.apache.sshd.server.SshServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SSH server that is one simulated host, across its reboots: a reboot stops it (every connection closed, new ones
 * refused: the port is closed) and, after a while, starts a new one on the same port with a new boot id.
 */
final class HostServer implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(HostServer.class);

    private final String name;
    private final Path root;
    private final IntFunction<SshServer> servers;
    private SshServer server;
    private ScheduledFuture<?> comingBack;
    private boolean closed;

    /** @param servers makes a server, not started, for a port (0: any free one) */
    HostServer(String name, Path root, IntFunction<SshServer> servers) {
        this.name = name;
        this.root = root;
        this.servers = servers;
    }

    /** Starts the first server, on a free port, and returns the port. */
    synchronized int start() throws IOException {
        server = servers.apply(0);
        server.start();
        return server.getPort();
    }

    synchronized void closeSessions() {
        if (server != null) {
            server.getActiveSessions().forEach(session -> session.close(true));
        }
    }

    /** Goes away now, and comes back after {@code downFor}. A reboot while down changes nothing. */
    synchronized void reboot(Duration downFor, ScheduledExecutorService scheduler) {
        if (closed || server == null) {
            return;
        }
        int port = server.getPort();
        LOGGER.info("Simulated host {} reboots: down for {}", name, downFor);
        stop(server);
        server = null;
        comingBack = scheduler.schedule(() -> comeBack(port), downFor.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void comeBack(int port) {
        if (closed) {
            return;
        }
        try {
            String bootId = FaultFiles.newBootId(root);
            SshServer next = servers.apply(port);
            next.start();
            server = next;
            LOGGER.info("Simulated host {} is back on port {}, boot id {}", name, port, bootId);
        } catch (IOException e) {
            LOGGER.warn("Simulated host {} could not come back on port {}: {}", name, port, e.getMessage());
        }
    }

    /** Whether {@code file}, a request left by a command on the host, is there; it is consumed. */
    static boolean consume(Path file) {
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (comingBack != null) {
            comingBack.cancel(false);
        }
        if (server != null) {
            stop(server);
            server = null;
        }
    }

    private void stop(SshServer stopped) {
        try {
            stopped.stop(true);
        } catch (IOException e) {
            LOGGER.warn("Simulated host {} did not stop cleanly: {}", name, e.getMessage());
        }
    }
}
