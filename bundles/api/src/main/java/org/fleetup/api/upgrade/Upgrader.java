package org.fleetup.api.upgrade;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;

/**
 * Upgrades one server, never leaving it half-upgraded: either the old release still runs, or the new one does,
 * verified. Idempotent: run again on a server already at the release, it skips it.
 */
public interface Upgrader {

    /**
     * @param rollout the id of the rollout this is part of, for events and logs
     * @param force install even over a newer version
     * @return the outcome; a server's fault is an outcome, never an exception
     */
    ServerOutcome upgrade(String rollout, Server server, Release release, boolean force, StepListener listener);
}
