package org.fleetup.api.mirror;

import java.time.Instant;

/**
 * A release overdue on a mirror: its scheduled time has passed and some of the mirror's agents still run an older
 * version.
 *
 * @param mirror the mirror's name
 * @param product the product
 * @param version the scheduled version
 * @param scheduledAt its scheduled time
 * @param agentsBehind how many of the mirror's agents ran an older version when it was last seen
 * @param raisedAt when it was raised
 * @param clearedAt when it was cleared (a new time was distributed, or every agent took it); {@code null}: open
 */
public record MirrorAlarm(String mirror, String product, String version, Instant scheduledAt, int agentsBehind,
                          Instant raisedAt, Instant clearedAt) {

    public boolean open() {
        return clearedAt == null;
    }
}
