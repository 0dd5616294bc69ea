package org.fleetup.api.pull;

import java.time.Instant;

/**
 * A release published to a product's pull agents from a time on; before it, they are told to come back then.
 *
 * @param product the product
 * @param version the release's version, in the store
 * @param at when it is published
 */
public record ScheduledRelease(String product, String version, Instant at) {
}
