package org.fleetup.routes.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the watchers of a rollout the steps of its servers as this controller's workers take them, and those other
 * controllers' workers take as their rows appear, and completes the
 * rollout's future when it ends or pauses, here or on another controller sharing the inventory. The steps themselves are
 * written by the workers, fenced ({@link StoredJournal}).
 */
final class RolloutTracker {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutTracker.class);

    private final RolloutRepository repository;
    private final String owner;
    private final Map<String, List<StepListener>> watchers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Rollout>> completions = new ConcurrentHashMap<>();
    /** The last step row read for each watched rollout: those after it that other controllers wrote are told. */
    private final Map<String, Long> stepsRead = new ConcurrentHashMap<>();
    /** Whether another live controller shares the inventory: alone, this one writes every step and reads none. */
    private volatile boolean shared;

    /** @param owner this controller's incarnation: the steps it writes it tells as they happen, not from the rows */
    RolloutTracker(RolloutRepository repository, String owner) {
        this.repository = repository;
        this.owner = owner;
    }

    void shared(boolean others) {
        this.shared = others;
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
        stepsRead.computeIfAbsent(rollout, id -> repository.lastStep());
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

    /**
     * Tells the watchers of each rollout the steps other controllers wrote since the last look, read from the step
     * rows: a watcher here sees the whole rollout, whoever works on its servers.
     */
    void pollSteps() {
        if (!shared) {
            return;
        }
        watchers.keySet().forEach(rollout -> {
            long after = stepsRead.getOrDefault(rollout, 0L);
            List<ActionStep> steps;
            try {
                steps = repository.stepsAfter(rollout, after);
            } catch (RuntimeException e) {
                LOGGER.warn("The steps of rollout {} could not be read; the next tick tries again", rollout, e);
                return;
            }
            for (ActionStep step : steps) {
                after = Math.max(after, step.seq());
                if (step.controller() != null && !step.controller().equals(owner)) {
                    StepRecord record = step.record();
                    tell(new StepEvent(rollout, record.server(), record.step(), record.detail(), 0, 0, record.at()));
                }
            }
            stepsRead.put(rollout, after);
        });
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
        stepsRead.remove(rollout.id());
    }
}
