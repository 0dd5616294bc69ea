package org.fleetup.routes.internal;

import java.time.Duration;
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

    /** As {@link #order(List, ServerOrder, Map, Map, Random)} with no round trip known. */
    static List<String> order(List<String> servers, ServerOrder order, Map<String, Double> rates, Random random) {
        return order(servers, order, rates, Map.of(), random);
    }

    /**
     * The servers in the order asked for. {@link ServerOrder#SPEED}: those with a transfer rate first, fastest first (a
     * rate is what a release takes to send); then those with a round trip, closest first; then the others, by name.
     *
     * @param rates the last transfer rate of each server, in bytes per second
     * @param roundTrips the last round trip of each server, measured when it was inspected
     */
    static List<String> order(List<String> servers, ServerOrder order, Map<String, Double> rates,
                              Map<String, Duration> roundTrips, Random random) {
        List<String> ordered = new ArrayList<>(servers);
        Comparator<String> byName = Comparator.naturalOrder();
        Duration unknown = Duration.ofSeconds(Long.MAX_VALUE);
        switch (order) {
            case NAME -> ordered.sort(byName);
            case RANDOM -> Collections.shuffle(ordered, random);
            case SPEED -> ordered.sort(Comparator
                    .comparing((String server) -> -rates.getOrDefault(server, -1.0))
                    .thenComparing(server -> roundTrips.getOrDefault(server, unknown))
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
