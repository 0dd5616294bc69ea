package org.fleetup.api.upgrade;

import java.time.Instant;

/**
 * One step of one server's upgrade changed, or made progress.
 *
 * @param rollout the rollout's id
 * @param server the server's name
 * @param state the step it is in now
 * @param detail what it is doing, or why it failed
 * @param done bytes sent so far, during {@link StepState#TRANSFERRING}
 * @param total bytes to send
 * @param at when
 */
public record StepEvent(String rollout, String server, StepState state, String detail, long done, long total,
                        Instant at) {

    public static StepEvent of(String rollout, String server, StepState state, String detail) {
        return new StepEvent(rollout, server, state, detail, 0, 0, Instant.now());
    }
}
