package org.fleetup.api.rollout;

/** Where a rollout stands. */
public enum RolloutStatus {
    /** Waiting for its start time. */
    SCHEDULED,
    RUNNING,
    /** Every server ended; some may have failed. */
    FINISHED,
    /** Stopped before every server ended. */
    ABORTED;

    public boolean isFinal() {
        return this == FINISHED || this == ABORTED;
    }
}
