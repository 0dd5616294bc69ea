package org.fleetup.api.rollout;

/** What a rollout does when the failed servers of a wave reach its maximum of errors. */
public enum OnError {
    /** Starts no new server until an operator resumes it (or cancels it). */
    PAUSE,
    /** Ends at once: the servers not started are left as they are. */
    ABORT
}
