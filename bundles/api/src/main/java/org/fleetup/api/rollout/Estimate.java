package org.fleetup.api.rollout;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a rollout may take, from what the inventory knows: each server's last transfer rate and round trip, the
 * artifact's size, the waves one after the other (a wave starts once the one before has ended) and the parallelism
 * within each, plus a time every server takes besides its transfer (connect, checks, unpack, switch, health).
 *
 * @param duration the whole rollout, from its first wave to the end of its last
 * @param servers the servers it would change
 * @param waves how many waves they make
 * @param measuredRates of {@code servers}, how many have a transfer rate measured by an earlier transfer; the others
 *        are counted at {@code assumedRate}
 * @param assumedRate bytes per second counted for a server with no measured rate: the median of the measured ones,
 *        or the configured default when none is measured
 * @param perServer what each server takes besides its transfer and its round trips
 * @param perServerLearnedFrom how many servers upgraded by earlier rollouts {@code perServer} is the median of; 0 when
 *        none was recorded and it is the configured default
 */
public record Estimate(Duration duration, int servers, int waves, int measuredRates, double assumedRate,
                       Duration perServer, int perServerLearnedFrom) {

    public Estimate {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(perServer, "perServer");
    }
}
