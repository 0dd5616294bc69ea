package org.fleetup.api.pull;

import java.time.Instant;

/**
 * A release published to a product's pull agents from a time on; before it, they are told to come back then.
 *
 * @param product the product
 * @param version the release's version, in the store
 * @param at when it is published
 * @param waveSize how many agents are offered it at once: the next ones only when these ended (done, failed or rolled
 *        back); 0 offers it to every agent at once
 * @param maxErrors the failures (failed or rolled back) at which the offer stops for every agent not offered it yet;
 *        0 never stops it
 */
public record ScheduledRelease(String product, String version, Instant at, int waveSize, int maxErrors) {

    /** Offered to every agent from {@code at} on, never stopped. */
    public ScheduledRelease(String product, String version, Instant at) {
        this(product, version, at, 0, 0);
    }
}
