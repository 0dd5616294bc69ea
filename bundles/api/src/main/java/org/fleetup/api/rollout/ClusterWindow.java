package org.fleetup.api.rollout;

import java.time.Instant;

/**
 * A maintenance window as configured, and where it stands at a time.
 *
 * @param cluster the cluster it is the window of, or {@code null} for the default window of every other cluster
 * @param window as configured ({@code DAYS HH:MM DURATION ZONE}), or {@code always}
 * @param open whether servers may be started at that time
 * @param opensAt when it opens next, that time itself when open; {@code null} when unknown (see {@code problem})
 * @param problem why no window is in force (the configuration cannot be read), or {@code null}
 */
public record ClusterWindow(String cluster, String window, boolean open, Instant opensAt, String problem) {
}
