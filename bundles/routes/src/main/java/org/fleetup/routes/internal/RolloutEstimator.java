package org.fleetup.routes.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.upgrade.StepState;

/**
 * How long a rollout may take, from what the inventory knows. Each server takes a time of its own besides its
 * transfer (learned from the servers earlier rollouts upgraded, else a configured default), plus its round trips, plus
 * the artifact over its last transfer rate (the median of the measured ones when it has none, else a configured
 * default). Within a wave, the servers go in the rollout's order to the first of {@code parallelism} free workers; a
 * wave starts once the one before has ended, on the engine's next tick.
 */
final class RolloutEstimator {

    /**
     * What a server's procedure waits for the link, besides the transfer: the SSH handshake and login, the staging
     * directory, the file channel, the checksum, the installable check, the unit's start and its report, the health
     * check and the confirming inspection. Counted this way, a far server costs more than a near one.
     */
    static final int ROUND_TRIPS_PER_SERVER = 12;

    /**
     * How many servers that earlier rollouts upgraded the time per server is learned from, the newest first; a median,
     * so that a server that waited out a controller's restart does not count for more than one.
     */
    static final int LEARNED_FROM_AT_MOST = 20;

    /** The steps whose time is not the server's own: the transfer is counted by rate, the waits are not work. */
    private static final Set<StepState> NOT_OWN_TIME = Set.of(StepState.PENDING, StepState.TRANSFERRING,
            StepState.WAITING);

    /**
     * What is counted when the inventory knows nothing better.
     *
     * @param bytesPerSecond the transfer rate of a server when no server of the plan has a measured one
     * @param perServer what a server takes besides its transfer and round trips when no earlier rollout upgraded one
     */
    record Defaults(double bytesPerSecond, Duration perServer) {

        Defaults {
            if (!(bytesPerSecond > 0)) {
                throw new IllegalArgumentException("a transfer rate is more than 0 bytes per second, not "
                        + bytesPerSecond);
            }
        }
    }

    private final RolloutRepository repository;
    private final Defaults defaults;
    private final int maxParallelism;
    private final Duration tick;

    /**
     * @param maxParallelism the engine's workers for all rollouts, which bound a rollout's own parallelism
     * @param tick the engine's time between two looks, which a wave may wait to open
     */
    RolloutEstimator(RolloutRepository repository, Defaults defaults, int maxParallelism, Duration tick) {
        this.repository = repository;
        this.defaults = defaults;
        this.maxParallelism = maxParallelism;
        this.tick = tick;
    }

    Estimate estimate(Plan plan, RolloutOptions options) {
        List<String> servers = plan.entries().stream()
                .filter(entry -> entry.decision() == Decision.UPGRADE || entry.decision() == Decision.INSTALL)
                .map(PlanEntry::server).distinct().toList();
        Map<String, Double> rates = repository.transferRates();
        Map<String, Duration> roundTrips = repository.roundTrips();
        List<Double> measured = servers.stream().filter(rates::containsKey).map(rates::get).toList();
        double assumedRate = measured.isEmpty() ? defaults.bytesPerSecond() : medianRate(measured);
        List<Duration> learned = learnedPerServer(roundTrips);
        Duration perServer = learned.isEmpty() ? defaults.perServer() : medianDuration(learned);

        // At random, any order may come: the one by name stands for it.
        ServerOrder order = options.order() == ServerOrder.RANDOM ? ServerOrder.NAME : options.order();
        List<String> ordered = WavePlan.order(servers, order, rates, roundTrips, new Random(0));
        long bytes = plan.release().size();
        List<Duration> each = ordered.stream().map(server -> perServer
                .plus(roundTrips.getOrDefault(server, Duration.ZERO).multipliedBy(ROUND_TRIPS_PER_SERVER))
                .plus(transfer(bytes, rates.getOrDefault(server, assumedRate)))).toList();
        List<Integer> sizes = options.waveSizes(ordered.size());
        Duration total = Duration.ZERO;
        int first = 0;
        for (int size : sizes) {
            total = total.plus(tick).plus(makespan(each.subList(first, first + size),
                    Math.min(options.parallelism(), maxParallelism)));
            first += size;
        }
        return new Estimate(total, servers.size(), sizes.size(), measured.size(), assumedRate, perServer,
                learned.size());
    }

    /**
     * How long servers taking {@code durations} take, in this order, on {@code parallelism} workers: each goes to the
     * worker free first, as the engine gives a free worker the next server.
     */
    static Duration makespan(List<Duration> durations, int parallelism) {
        PriorityQueue<Duration> freeAt = new PriorityQueue<>();
        for (int i = 0; i < parallelism; i++) {
            freeAt.add(Duration.ZERO);
        }
        Duration end = Duration.ZERO;
        for (Duration duration : durations) {
            Duration done = freeAt.remove().plus(duration);
            freeAt.add(done);
            end = end.compareTo(done) < 0 ? done : end;
        }
        return end;
    }

    /**
     * What one upgraded server took besides its transfer and its waits, from its history: from its first step to its
     * {@code DONE}, each step lasting until the next one began. Empty when the history does not show both ends.
     */
    static Optional<Duration> ownTime(List<StepRecord> history) {
        int start = -1;
        int done = -1;
        for (int i = 0; i < history.size(); i++) {
            StepState step = history.get(i).step();
            if (start < 0 && step != StepState.PENDING) {
                start = i;
            }
            if (step == StepState.DONE) {
                done = i;
            }
        }
        if (start < 0 || done <= start) {
            return Optional.empty();
        }
        Duration own = Duration.ZERO;
        for (int i = start; i < done; i++) {
            if (!NOT_OWN_TIME.contains(history.get(i).step())) {
                own = own.plus(Duration.between(history.get(i).at(), history.get(i + 1).at()));
            }
        }
        return Optional.of(own);
    }

    /**
     * The own time of the servers the newest rollouts upgraded, less their round trips as measured now; of the newest
     * {@link #LEARNED_FROM_AT_MOST} rollouts at most, so that a long past of failed ones is not read at every plan.
     */
    private List<Duration> learnedPerServer(Map<String, Duration> roundTrips) {
        List<Duration> learned = new ArrayList<>();
        for (Rollout rollout : repository.rollouts().stream().limit(LEARNED_FROM_AT_MOST).toList()) {
            for (RolloutServer server : repository.servers(rollout.id())) {
                if (server.state() != StepState.DONE) {
                    continue;
                }
                Duration trips = roundTrips.getOrDefault(server.server(), Duration.ZERO)
                        .multipliedBy(ROUND_TRIPS_PER_SERVER);
                ownTime(repository.history(rollout.id(), server.server()))
                        .map(own -> own.compareTo(trips) > 0 ? own.minus(trips) : Duration.ZERO)
                        .ifPresent(learned::add);
                if (learned.size() == LEARNED_FROM_AT_MOST) {
                    return learned;
                }
            }
        }
        return learned;
    }

    private static Duration transfer(long bytes, double bytesPerSecond) {
        return Duration.ofNanos(Math.round(bytes / bytesPerSecond * 1e9));
    }

    private static double medianRate(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    private static Duration medianDuration(List<Duration> values) {
        List<Duration> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle)
                : sorted.get(middle - 1).plus(sorted.get(middle)).dividedBy(2);
    }
}
