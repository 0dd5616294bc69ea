package org.fleetup.simulator.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link org.fleetup.api.simulator.Fault#HUNG}: a loopback port that accepts TCP connections and never says a word,
 * as a server whose sshd is stuck; a client waits for the SSH banner until its own deadline.
 */
final class HungListener implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(HungListener.class);

    private final ServerSocket socket;
    private final List<Socket> held = new ArrayList<>();
    private final Thread acceptor;

    HungListener(String host) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "fleetup-simulator-hung-" + host);
        acceptor.setDaemon(true);
        acceptor.start();
        LOGGER.info("Simulated host {} is hung: port {} accepts and never answers", host, socket.getLocalPort());
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket accepted = socket.accept();
                synchronized (held) {
                    held.add(accepted);
                }
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOGGER.debug("Closing a hung port: {}", e.getMessage());
        }
        synchronized (held) {
            for (Socket accepted : held) {
                try {
                    accepted.close();
                } catch (IOException e) {
                    LOGGER.debug("Closing a held connection: {}", e.getMessage());
                }
            }
            held.clear();
        }
    }
}
