package org.fleetup.simulator.internal;

import org.fleetup.api.simulator.SimulatedHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A simulated host and what stops it: its SSH server (or hung port) and its faults' watches. */
public record RunningHost(SimulatedHost host, AutoCloseable stop) implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(RunningHost.class);

    /** Stops the server at once, breaking its sessions; its files stay. */
    @Override
    public void close() {
        try {
            stop.close();
            LOGGER.info("Simulated host {} stopped", host.name());
        } catch (Exception e) {
            LOGGER.warn("Simulated host {} did not stop cleanly: {}", host.name(), e.getMessage());
        }
    }
}
