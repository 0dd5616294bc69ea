package org.fleetup.simulator.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link org.fleetup.api.simulator.Fault#DROP_AFTER_SWITCH}: once {@code current} first points elsewhere than at
 * start, drops the connection (every session of the host closed), once.
 */
final class SwitchWatch implements Runnable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SwitchWatch.class);

    private final String host;
    private final Path current;
    private final Runnable drop;
    private final Path atStart;
    private boolean dropped;

    SwitchWatch(String host, Path current, Runnable drop) {
        this.host = host;
        this.current = current;
        this.drop = drop;
        this.atStart = target(current);
    }

    @Override
    public synchronized void run() {
        if (dropped) {
            return;
        }
        Path now = target(current);
        if (now != null && !Objects.equals(now, atStart)) {
            dropped = true;
            LOGGER.info("Simulated host {} drops the connection: current switched from {} to {}", host, atStart, now);
            drop.run();
        }
    }

    private static Path target(Path link) {
        try {
            return Files.readSymbolicLink(link);
        } catch (IOException | UnsupportedOperationException missing) {
            return null;
        }
    }
}
