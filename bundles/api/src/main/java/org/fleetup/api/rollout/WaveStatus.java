package org.fleetup.api.rollout;

/** Where a wave stands. */
public enum WaveStatus {
    /** Not started: its servers are untouched. */
    PENDING,
    RUNNING,
    /** Every server of it ended, and its failures stayed under the maximum. */
    DONE,
    /** Its failures reached the maximum: the rollout paused or aborted here. */
    HALTED
}
