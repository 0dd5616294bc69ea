package org.fleetup.shell.internal;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.ServerOrder;

/** What a rollout's options make of a plan: its waves, their order, the bytes to send and how long it may take. */
final class WavePlan {

    private WavePlan() {
    }

    static void print(Plan plan, RolloutOptions options, Estimate estimate, PrintStream out) {
        List<PlanEntry> changing = plan.entries().stream()
                .filter(e -> e.decision() == Decision.UPGRADE || e.decision() == Decision.INSTALL).toList();
        List<Integer> sizes = options.waveSizes(changing.size());
        out.println("Waves: " + sizes.size() + " (canary " + options.canary() + ", then " + options.wave()
                + " each); a wave starts once every server of the one before has ended verified; "
                + "when " + options.maxErrors() + " of a wave fail, the rollout "
                + (options.onError() == OnError.PAUSE ? "pauses" : "aborts") + ".");
        out.println("Order: " + order(options.order()));
        // By name, the waves are known now; by speed or at random, the engine picks their servers when it starts.
        List<String> names = options.order() == ServerOrder.NAME
                ? changing.stream().map(PlanEntry::server).sorted(Comparator.naturalOrder()).toList() : null;
        boolean canary = options.canary().of(changing.size()) > 0;
        int first = 0;
        for (int i = 0; i < sizes.size(); i++) {
            int size = sizes.get(i);
            String label = "  wave " + (i + 1) + (i == 0 && canary ? " (canary)" : "") + ": " + size
                    + (size == 1 ? " server" : " servers");
            out.println(names == null ? label : label + ": " + String.join(", ", names.subList(first, first + size)));
            first += size;
        }
        long bytes = plan.release().size() * changing.size();
        out.println("To send: " + Formats.bytes(bytes) + " (" + Formats.bytes(plan.release().size()) + " to each of "
                + changing.size() + " servers).");
        out.println("Estimated duration: " + estimate(estimate, options));
    }

    /**
     * {@code about 2 min 5 s (3 waves, 10 at a time; measured transfer rates: 3 of 5 servers, the others counted at
     * 12.0 MiB/s, the median of those; 8 s per server besides its transfer, learned from 20 upgraded servers)}.
     */
    static String estimate(Estimate estimate, RolloutOptions options) {
        if (estimate.servers() == 0) {
            return "none, no server to change.";
        }
        int others = estimate.servers() - estimate.measuredRates();
        String rates = "measured transfer rates: " + estimate.measuredRates() + " of " + estimate.servers()
                + " servers" + (others == 0 ? "" : (estimate.measuredRates() == 0 ? ", all" : ", the others")
                + " counted at " + Formats.bytes(Math.round(estimate.assumedRate())) + "/s, "
                + (estimate.measuredRates() == 0 ? "the configured default (estimateBytesPerSecond)"
                        : "the median of those"));
        String perServer = Formats.approximately(estimate.perServer()) + " per server besides its transfer, "
                + (estimate.perServerLearnedFrom() == 0 ? "the configured default (estimateSecondsPerServer)"
                        : "learned from " + estimate.perServerLearnedFrom() + " servers earlier rollouts upgraded");
        return "about " + Formats.approximately(estimate.duration()) + " (" + estimate.waves()
                + (estimate.waves() == 1 ? " wave, " : " waves, ") + options.parallelism() + " at a time; " + rates
                + "; " + perServer + ").";
    }

    private static String order(ServerOrder order) {
        return switch (order) {
            case SPEED -> "fastest link first: the last transfer rate of each server, fastest first, then the round"
                    + " trip this plan measured, closest first, then by name";
            case NAME -> "by name";
            case RANDOM -> "shuffled when the rollout starts";
        };
    }
}
