package org.fleetup.api.rollout;

import java.time.Instant;

import org.fleetup.api.upgrade.StepState;

/**
 * Where one server of a rollout stands, persisted at every step so that a restarted controller knows.
 *
 * @param rollout the rollout's id
 * @param server the server's name
 * @param state its step
 * @param from the version it ran before, when known
 * @param to the version it runs after, when known
 * @param detail what it is doing, or why it was skipped or failed
 * @param updatedAt when this was recorded
 * @param wave the wave it belongs to, 1 for the canary; 0 when the rollout has no waves
 */
public record RolloutServer(String rollout, String server, StepState state, String from, String to, String detail,
                            Instant updatedAt, int wave) {

    /** A server of no wave. */
    public RolloutServer(String rollout, String server, StepState state, String from, String to, String detail,
                         Instant updatedAt) {
        this(rollout, server, state, from, to, detail, updatedAt, 0);
    }
}
