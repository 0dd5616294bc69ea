package org.fleetup.api.rollout;

/** The order in which a rollout takes its servers, wave after wave. */
public enum ServerOrder {
    /** Fastest link first: the last measured transfer rate, or a probe (round trip and throughput). */
    SPEED,
    /** By name. */
    NAME,
    /** Shuffled: no server is always first. */
    RANDOM
}
