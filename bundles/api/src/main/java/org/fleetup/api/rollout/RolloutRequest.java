package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What an operator asks for.
 *
 * @param product the product of the release
 * @param version the version of the release
 * @param servers the servers' names; every server of the fleet when empty
 * @param parallelism how many servers are upgraded at once
 * @param at when to start, not past; {@code null} for now
 * @param force install even over a newer version
 * @param actor who asked, for the audit trail
 * @param options waves, thresholds and order; its parallelism and force are those above
 */
public record RolloutRequest(String product, String version, List<String> servers, int parallelism, Instant at,
                             boolean force, String actor, RolloutOptions options) {

    /** A request with the default waves, thresholds and order. */
    public RolloutRequest(String product, String version, List<String> servers, int parallelism, Instant at,
                          boolean force, String actor) {
        this(product, version, servers, parallelism, at, force, actor, null);
    }

    public RolloutRequest {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(version, "version");
        servers = servers == null ? List.of() : List.copyOf(servers);
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
        options = options == null ? RolloutOptions.defaults(parallelism, force)
                : new RolloutOptions(options.canary(), options.wave(), options.maxErrors(), options.onError(),
                        options.order(), parallelism, force);
    }
}
