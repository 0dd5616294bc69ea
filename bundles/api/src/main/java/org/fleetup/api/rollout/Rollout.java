package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.List;

/**
 * A release brought to a set of servers.
 *
 * @param id its id
 * @param product the product of the release
 * @param version the version of the release
 * @param servers the servers it covers, in the order they are taken
 * @param parallelism how many servers at once
 * @param force install even over a newer version
 * @param status where it stands
 * @param createdAt when it was asked for
 * @param startAt when it starts (or started)
 * @param finishedAt when it ended, or {@code null}
 * @param detail why it was aborted, or {@code null}
 * @param options its waves, thresholds and order; {@code parallelism} and {@code force} are theirs
 * @param createdBy who started it
 */
public record Rollout(String id, String product, String version, List<String> servers, int parallelism, boolean force,
                      RolloutStatus status, Instant createdAt, Instant startAt, Instant finishedAt, String detail,
                      RolloutOptions options, String createdBy) {

    public Rollout {
        servers = List.copyOf(servers);
        // A row saved by an older Fleetup may carry a parallelism of 0: readable, so that it can be aborted.
        options = options == null ? RolloutOptions.defaults(Math.max(1, parallelism), force) : options;
    }

    /** A rollout of the default options, by no one in particular. */
    public Rollout(String id, String product, String version, List<String> servers, int parallelism, boolean force,
                   RolloutStatus status, Instant createdAt, Instant startAt, Instant finishedAt, String detail) {
        this(id, product, version, servers, parallelism, force, status, createdAt, startAt, finishedAt, detail, null,
                null);
    }

    public Rollout withStatus(RolloutStatus newStatus, Instant finished, String why) {
        return new Rollout(id, product, version, servers, parallelism, force, newStatus, createdAt, startAt, finished,
                why, options, createdBy);
    }
}
