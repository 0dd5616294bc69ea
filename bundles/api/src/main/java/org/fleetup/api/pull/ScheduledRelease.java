package org.fleetup.api.pull;

import java.time.Instant;

/**
 * A release published to a product's pull agents from a time on; before it, they are told to come back then. It is
 * brought to them by a rollout ({@link PullRollouts}): its waves and their max errors are the rollout's.
 *
 * @param product the product
 * @param version the release's version, in the store
 * @param at when it is published
 * @param waveSize how many agents are offered it at once: the next ones only when these ended (done, failed or rolled
 *        back); 0 offers it to every agent at once
 * @param maxErrors the failures (failed, rolled back or silent past the deadline) of one wave at which the rollout
 *        stops offering it; 0 never stops it
 * @param rollout the id of the rollout that brings it to the agents now, or {@code null} before it has one
 */
public record ScheduledRelease(String product, String version, Instant at, int waveSize, int maxErrors,
                               String rollout) {

    /** Before its rollout is made. */
    public ScheduledRelease(String product, String version, Instant at, int waveSize, int maxErrors) {
        this(product, version, at, waveSize, maxErrors, null);
    }

    /** Offered to every agent from {@code at} on, never stopped. */
    public ScheduledRelease(String product, String version, Instant at) {
        this(product, version, at, 0, 0);
    }

    /** The same, brought by the rollout {@code id}. */
    public ScheduledRelease withRollout(String id) {
        return new ScheduledRelease(product, version, at, waveSize, maxErrors, id);
    }

    public String coordinates() {
        return product + "/" + version;
    }
}
