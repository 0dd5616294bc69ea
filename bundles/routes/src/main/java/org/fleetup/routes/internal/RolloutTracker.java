package org.fleetup.routes.internal;

import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
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
    /** The step rows of each watched rollout read so far: those other controllers wrote are told once. */
    private final Map<String, StepsRead> stepsRead = new ConcurrentHashMap<>();
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
        stepsRead.computeIfAbsent(rollout, id -> new StepsRead(repository.lastStep()));
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
            StepsRead read = stepsRead.computeIfAbsent(rollout, id -> new StepsRead(0));
            List<ActionStep> steps;
            try {
                steps = repository.stepsAfter(rollout, read.from());
            } catch (RuntimeException e) {
                LOGGER.warn("The steps of rollout {} could not be read; the next tick tries again", rollout, e);
                return;
            }
            for (ActionStep step : steps) {
                if (read.first(step.seq()) && step.controller() != null && !step.controller().equals(owner)) {
                    StepRecord record = step.record();
                    tell(new StepEvent(rollout, record.server(), record.step(), record.detail(), 0, 0, record.at()));
                }
            }
        });
    }

    /**
     * The step rows of one rollout read so far. PostgreSQL numbers a row when it is written, not when it commits: a
     * row may appear after one numbered higher, so each look reads the last {@value #REREAD} numbers again and tells
     * only the rows it had not seen.
     */
    private static final class StepsRead {

        private static final long REREAD = 256;

        private final NavigableSet<Long> seen = new TreeSet<>();
        private long floor;

        StepsRead(long floor) {
            this.floor = floor;
        }

        synchronized long from() {
            return seen.isEmpty() ? floor : Math.max(floor, seen.last() - REREAD);
        }

        /** Whether row {@code seq} is read for the first time. */
        synchronized boolean first(long seq) {
            if (seq <= floor || !seen.add(seq)) {
                return false;
            }
            long keep = seen.last() - REREAD;
            if (keep > floor) {
                floor = keep;
                seen.headSet(keep, true).clear();
            }
            return true;
        }
    }

    /** Completes the futures of the rollouts that stopped elsewhere: on another controller, or an earlier life. */
    void pollEnded() {
        completions.forEach((id, future) -> {
            if (!future.isDone() && repository.status(id).filter(RolloutTracker::stopped).isPresent()) {
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
        return stopped(rollout.status());
    }

    private static boolean stopped(RolloutStatus status) {
        return status.isFinal() || status == RolloutStatus.PAUSED;
    }

    void ended(Rollout rollout) {
        completions.compute(rollout.id(), (id, known) -> known == null || known.isDone() ? new CompletableFuture<>()
                : known).complete(rollout);
        watchers.remove(rollout.id());
        stepsRead.remove(rollout.id());
    }
}
