package org.fleetup.api.rollout;

import java.time.Instant;

/**
 * One wave of a rollout.
 *
 * @param rollout the rollout's id
 * @param number 1 for the canary, then 2, 3...
 * @param size its servers
 * @param maxErrors failed servers that stop the rollout, resolved from the rollout's options when it was made
 * @param status where it stands
 * @param startedAt when its first server started, or {@code null}
 * @param endedAt when its last server ended, or {@code null}
 */
public record Wave(String rollout, int number, int size, int maxErrors, WaveStatus status, Instant startedAt,
                   Instant endedAt) {
}
