package org.fleetup.api.rollout;

/** Where a rollout stands. A rollout that has not ended holds its servers: no other rollout may take them. */
public enum RolloutStatus {
    /** Waiting for its start time. */
    SCHEDULED,
    RUNNING,
    /**
     * Stopped by an operator or by a wave's errors: starts no new server until resumed; the servers in flight finish
     * or roll back.
     */
    PAUSED,
    /** Cancelled while running: starts no new server, and ends {@link #CANCELLED} once those in flight have ended. */
    CANCELLING,
    /** Every server ended; some may have failed. */
    FINISHED,
    /** Stopped before every server ended. */
    ABORTED,
    /** Cancelled by an operator: the servers it had not started were left as they were. */
    CANCELLED;

    public boolean isFinal() {
        return this == FINISHED || this == ABORTED || this == CANCELLED;
    }
}
