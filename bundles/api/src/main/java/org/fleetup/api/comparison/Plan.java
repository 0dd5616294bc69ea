package org.fleetup.api.comparison;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.release.Release;

/** The decisions for a fleet, shown before anything changes. */
public record Plan(Release release, List<PlanEntry> entries, Instant createdAt) {

    public Plan {
        entries = List.copyOf(entries);
    }

    public List<PlanEntry> entries(Decision decision) {
        return entries.stream().filter(e -> e.decision() == decision).toList();
    }

    public Map<Decision, Long> counts() {
        return entries.stream().collect(Collectors.groupingBy(PlanEntry::decision, Collectors.counting()));
    }

    public Map<String, PlanEntry> byServer() {
        return entries.stream().collect(Collectors.toMap(PlanEntry::server, Function.identity()));
    }

    /** This plan with {@code more} entries after its own (the pull agents of {@code PullRollouts#plan}). */
    public Plan with(List<PlanEntry> more) {
        List<PlanEntry> all = new ArrayList<>(entries);
        all.addAll(more);
        return new Plan(release, all, createdAt);
    }
}
