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
 * @param outcome how it ended when its step alone does not tell ({@link ReportStatus#NOT_STARTED},
 *        {@link ReportStatus#NOT_INSTALLABLE}), or {@code null}: read it with {@link ReportStatus#of(RolloutServer)}
 */
public record RolloutServer(String rollout, String server, StepState state, String from, String to, String detail,
                            Instant updatedAt, int wave, ReportStatus outcome) {

    /** A server whose step tells how it ended. */
    public RolloutServer(String rollout, String server, StepState state, String from, String to, String detail,
                         Instant updatedAt, int wave) {
        this(rollout, server, state, from, to, detail, updatedAt, wave, null);
    }

    /** A server of no wave. */
    public RolloutServer(String rollout, String server, StepState state, String from, String to, String detail,
                         Instant updatedAt) {
        this(rollout, server, state, from, to, detail, updatedAt, 0);
    }
}
