package org.fleetup.routes.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;

/** The order of a rollout's servers and its waves, decided once when it is made. */
final class WavePlan {

    private WavePlan() {
    }

    /**
     * The servers in the order asked for. {@link ServerOrder#SPEED}: fastest last transfer first; those never measured
     * after them, by name.
     */
    static List<String> order(List<String> servers, ServerOrder order, Map<String, Double> rates, Random random) {
        List<String> ordered = new ArrayList<>(servers);
        Comparator<String> byName = Comparator.naturalOrder();
        switch (order) {
            case NAME -> ordered.sort(byName);
            case RANDOM -> Collections.shuffle(ordered, random);
            case SPEED -> ordered.sort(Comparator
                    .comparing((String server) -> -rates.getOrDefault(server, -1.0))
                    .thenComparing(byName));
            default -> throw new IllegalArgumentException("order " + order);
        }
        return ordered;
    }

    /**
     * The waves the plan shows ({@link RolloutOptions#waveSizes}): a canary wave (when the canary is not 0), then waves
     * of the wave size, until every server has one; each wave's max errors resolved from the options on its size.
     */
    static List<Wave> waves(String rollout, int servers, RolloutOptions options) {
        List<Wave> waves = new ArrayList<>();
        for (int size : options.waveSizes(servers)) {
            waves.add(wave(rollout, waves.size() + 1, size, options));
        }
        return waves;
    }

    private static Wave wave(String rollout, int number, int size, RolloutOptions options) {
        return new Wave(rollout, number, size, options.maxErrors().of(size), WaveStatus.PENDING, null, null);
    }
}
