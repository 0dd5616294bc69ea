package org.fleetup.api.upgrade;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Upgrades one server, never leaving it half-upgraded: either the old release still runs, or the new one does,
 * verified. Idempotent: run again on a server already at the release, it skips it.
 */
@ProviderType
public interface Upgrader {

    /**
     * @param rollout the id of the rollout this is part of, for events and logs
     * @param force install even over a newer version
     * @return the outcome; a server's fault is an outcome, never an exception
     */
    default ServerOutcome upgrade(String rollout, Server server, Release release, boolean force,
                                  StepListener listener) {
        return upgrade(rollout, server, release, force, listener, Journal.inMemory());
    }

    /**
     * Upgrades one server, or finishes an upgrade that a crash interrupted: what {@code journal} holds says how far it
     * went, and every step is safe to run again. A server found on the new release with no verified health check is
     * checked and confirmed or rolled back, never skipped.
     *
     * @param journal where the upgrade records each step before its irreversible part
     * @return the outcome; a server's fault is an outcome, never an exception
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST} when another
     *         controller took the server over: nothing more was done on it
     */
    default ServerOutcome upgrade(String rollout, Server server, Release release, boolean force,
                                  StepListener listener, Journal journal) {
        try (Procedure procedure = begin(rollout, server, release, force, listener, journal)) {
            return procedure.runToEnd();
        }
    }

    /**
     * The same upgrade, to be run a step at a time ({@link Procedure}); nothing is done on the server before its first
     * step runs.
     */
    Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                    Journal journal);
}
