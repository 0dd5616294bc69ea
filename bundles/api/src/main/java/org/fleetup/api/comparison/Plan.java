package org.fleetup.api.comparison;

import java.time.Instant;
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
}
