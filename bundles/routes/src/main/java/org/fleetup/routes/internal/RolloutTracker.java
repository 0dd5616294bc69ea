package org.fleetup.routes.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the steps of every running rollout: persists each step change (so a restarted controller knows where every
 * server stands), tells the watchers, and completes the rollout's future when it ends.
 */
final class RolloutTracker implements StepListener {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutTracker.class);

    private final RolloutRepository repository;
    private final Map<String, List<StepListener>> watchers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Rollout>> completions = new ConcurrentHashMap<>();
    private final Map<String, StepEvent> lastStep = new ConcurrentHashMap<>();

    RolloutTracker(RolloutRepository repository) {
        this.repository = repository;
    }

    @Override
    public void onStep(StepEvent event) {
        StepEvent previous = lastStep.put(event.rollout() + '/' + event.server(), event);
        // Progress within a step is told to watchers but not persisted: only step changes are worth a write.
        if (previous == null || previous.state() != event.state()) {
            repository.saveServer(new RolloutServer(event.rollout(), event.server(), event.state(), null, null,
                    event.detail(), event.at()));
        }
        for (StepListener watcher : watchers.getOrDefault(event.rollout(), List.of())) {
            try {
                watcher.onStep(event);
            } catch (RuntimeException e) {
                LOGGER.warn("A watcher of rollout {} failed; the rollout goes on", event.rollout(), e);
            }
        }
    }

    AutoCloseable watch(String rollout, StepListener watcher) {
        watchers.computeIfAbsent(rollout, id -> new CopyOnWriteArrayList<>()).add(watcher);
        // The rollout may have ended, and its watchers been dropped, before the watcher lets go.
        return () -> watchers.computeIfPresent(rollout, (id, list) -> list.remove(watcher) && list.isEmpty() ? null : list);
    }

    CompletableFuture<Rollout> completion(String rollout) {
        CompletableFuture<Rollout> future = completions.computeIfAbsent(rollout, id -> new CompletableFuture<>());
        // It may have ended before anyone asked, or in an earlier life of the controller.
        repository.rollout(rollout).filter(r -> r.status().isFinal()).ifPresent(future::complete);
        return future;
    }

    void ended(Rollout rollout) {
        completions.computeIfAbsent(rollout.id(), id -> new CompletableFuture<>()).complete(rollout);
        watchers.remove(rollout.id());
        lastStep.keySet().removeIf(key -> key.startsWith(rollout.id() + '/'));
    }

    void recordOutcome(String rollout, String server, ServerOutcome outcome) {
        repository.saveServer(new RolloutServer(rollout, server, outcome.state(), outcome.from(), outcome.to(),
                outcome.detail(), Instant.now()));
    }
}
