package org.fleetup.simulator.internal;

import java.io.IOException;

import org.apache.sshd.server.SshServer;
import org.fleetup.api.simulator.SimulatedHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A simulated host and the SSH server that is it. */
public record RunningHost(SimulatedHost host, SshServer server) implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(RunningHost.class);

    /** Stops the server at once, breaking its sessions; its files stay. */
    @Override
    public void close() {
        try {
            server.stop(true);
            LOGGER.info("Simulated host {} stopped", host.name());
        } catch (IOException e) {
            LOGGER.warn("Simulated host {} did not stop cleanly: {}", host.name(), e.getMessage());
        }
    }
}
