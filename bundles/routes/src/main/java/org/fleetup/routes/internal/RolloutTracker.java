package org.fleetup.routes.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the watchers of a rollout the steps of its servers as this controller's workers take them, and completes the
 * rollout's future when it ends or pauses, here or on another controller sharing the inventory. The steps themselves are
 * written by the workers, fenced ({@link StoredJournal}).
 */
final class RolloutTracker {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutTracker.class);

    private final RolloutRepository repository;
    private final Map<String, List<StepListener>> watchers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Rollout>> completions = new ConcurrentHashMap<>();

    RolloutTracker(RolloutRepository repository) {
        this.repository = repository;
    }

    void tell(StepEvent event) {
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

    /** Completes when the rollout ends, or pauses; a future completed by a pause is replaced once it goes on. */
    CompletableFuture<Rollout> completion(String rollout) {
        CompletableFuture<Rollout> future = completions.compute(rollout,
                (id, known) -> known == null || known.isDone() && !known.join().status().isFinal()
                        ? new CompletableFuture<>() : known);
        // It may have stopped before anyone asked, or in an earlier life of the controller.
        repository.rollout(rollout).filter(RolloutTracker::stopped).ifPresent(future::complete);
        return future;
    }

    /** Completes the futures of the rollouts that stopped elsewhere: on another controller, or an earlier life. */
    void pollEnded() {
        completions.forEach((id, future) -> {
            if (!future.isDone()) {
                repository.rollout(id).filter(RolloutTracker::stopped).ifPresent(stopped -> {
                    if (stopped.status().isFinal()) {
                        ended(stopped);
                    } else {
                        future.complete(stopped);
                    }
                });
            }
        });
    }

    private static boolean stopped(Rollout rollout) {
        return rollout.status().isFinal() || rollout.status() == RolloutStatus.PAUSED;
    }

    void ended(Rollout rollout) {
        completions.compute(rollout.id(), (id, known) -> known == null || known.isDone() ? new CompletableFuture<>()
                : known).complete(rollout);
        watchers.remove(rollout.id());
    }
}
