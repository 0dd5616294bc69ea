package org.fleetup.api.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a rollout goes through its servers: a canary wave first, then waves of a size; a wave starts only when every
 * server of the one before has ended verified; when the failed servers of a wave (unreachable and timed-out ones
 * included) reach {@code maxErrors} of it, the rollout pauses or aborts, and no server outside the waves already
 * started is touched.
 *
 * @param canary the first wave
 * @param wave every later wave
 * @param maxErrors failed servers of one wave that stop the rollout, of that wave's size
 * @param onError what stopping means
 * @param order the order of the servers
 * @param parallelism most servers of the rollout worked on at once
 * @param force install even over a newer version
 */
public record RolloutOptions(Size canary, Size wave, Size maxErrors, OnError onError, ServerOrder order,
                             int parallelism, boolean force) {

    public static final Size DEFAULT_CANARY = Size.count(1);
    public static final Size DEFAULT_WAVE = Size.percent(25);
    public static final Size DEFAULT_MAX_ERRORS = Size.percent(10);
    public static final int DEFAULT_PARALLELISM = 10;

    public RolloutOptions {
        Objects.requireNonNull(canary, "canary");
        Objects.requireNonNull(wave, "wave");
        Objects.requireNonNull(maxErrors, "maxErrors");
        Objects.requireNonNull(onError, "onError");
        Objects.requireNonNull(order, "order");
        if (wave.value() < 1) {
            throw new IllegalArgumentException("a wave has at least one server, not " + wave);
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, not " + parallelism);
        }
    }

    /** Canary 1, waves of 25%, max errors 10%, pause, fastest first. */
    public static RolloutOptions defaults(int parallelism, boolean force) {
        return new RolloutOptions(DEFAULT_CANARY, DEFAULT_WAVE, DEFAULT_MAX_ERRORS, OnError.PAUSE, ServerOrder.SPEED,
                parallelism, force);
    }

    /**
     * The sizes of the waves of {@code servers} servers, in order: the canary (when it has any server), then waves of
     * {@link #wave()} of all the servers, the last one what remains. The plan shows these, and the engine makes these.
     */
    public List<Integer> waveSizes(int servers) {
        List<Integer> sizes = new ArrayList<>();
        int left = servers;
        int first = canary.of(left);
        if (first > 0) {
            sizes.add(first);
            left -= first;
        }
        int each = Math.max(1, wave.of(servers));
        while (left > 0) {
            int size = Math.min(each, left);
            sizes.add(size);
            left -= size;
        }
        return List.copyOf(sizes);
    }
}
