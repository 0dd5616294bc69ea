package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;

/**
 * The journal of one claimed action, in the inventory: every step and journal change is written under the fence of
 * the claim, which renews the lease; a write refused (the action was claimed since, or this controller is stopping)
 * throws {@link FleetupException#LEASE_LOST}, so that the upgrade stops touching the server. It also hears the
 * upgrade's steps: every event is told to the rollout's watchers at once, and each step change is written with the
 * next write of the action (a journal entry, the heartbeat, the end), which saves a commit per change.
 */
final class StoredJournal implements Journal, StepListener {

    private final RolloutRepository repository;
    private final RolloutAction action;
    private final Duration lease;
    private final BooleanSupplier stopping;
    private final RolloutTracker tracker;
    private final Map<String, String> entries;
    /** Step changes heard and not written yet, in order. */
    private final List<ActionUpdate> pending = new ArrayList<>();
    private StepState last;
    private String lastDetail;
    private long transferStarted;
    private long transferBytes;
    /** Whether the lease was let go (the action ended, or was put aside): a heartbeat after it has nothing to keep. */
    private boolean letGo;

    StoredJournal(RolloutRepository repository, RolloutAction action, Duration lease, BooleanSupplier stopping,
                  RolloutTracker tracker) {
        this.repository = repository;
        this.action = action;
        this.lease = lease;
        this.stopping = stopping;
        this.tracker = tracker;
        this.entries = new HashMap<>(action.journal());
        this.last = action.step();
    }

    @Override
    public synchronized Map<String, String> entries() {
        return Map.copyOf(entries);
    }

    @Override
    public synchronized void record(StepState step, String detail, Map<String, String> changes) {
        write(step, null, null, detail, changes, false);
    }

    @Override
    public void onStep(StepEvent event) {
        synchronized (this) {
            measure(event);
            requireRunning();
            if (event.state() != last) {
                // A step change alone changes nothing on the server (what does is journaled first): it goes with the
                // next write - a journal entry, the heartbeat or the end - in the same commit. Watchers hear it now.
                Instant now = Instant.now();
                pending.add(new ActionUpdate(event.state(), null, null, event.detail(), Map.of(), now.plus(lease),
                        true, now));
                last = event.state();
                lastDetail = event.detail();
            }
        }
        tracker.tell(event);
    }

    /** Writes how the server ended and lets the lease go. */
    synchronized void finish(ServerOutcome outcome) {
        write(outcome.state(), outcome.from(), outcome.to(), outcome.detail(), Map.of(), true);
        letGo = true;
    }

    /** Lets the lease go without a step: the action was claimed but not started. */
    synchronized void letGo() {
        requireRunning();
        written(new ActionUpdate(last, null, null, action.detail(), Map.of(), null, false, Instant.now()));
        letGo = true;
    }

    /**
     * Puts the action aside until {@code notBefore}, its lease let go and its journal kept: no thread waits for the
     * server meanwhile, and any controller takes it up then.
     */
    synchronized void defer(Instant notBefore, String detail) {
        requireRunning();
        if (!pending.isEmpty()) {
            written(null);
        }
        repository.defer(action.id(), action.fence(), notBefore, detail);
        letGo = true;
    }

    /**
     * The heartbeat: keeps the lease while a long step runs, and writes the step changes heard since. A beat that
     * comes after the lease was let go, before the heartbeat was cancelled, does nothing: the action was not taken
     * over, it ended.
     */
    synchronized void renew() {
        if (letGo) {
            return;
        }
        requireRunning();
        if (pending.isEmpty()) {
            repository.renew(action.id(), action.fence(), Instant.now().plus(lease));
        } else {
            written(null);
        }
    }

    private void write(StepState step, String from, String to, String detail, Map<String, String> changes,
                       boolean end) {
        requireRunning();
        leaving(step);
        Instant now = Instant.now();
        written(new ActionUpdate(step, from, to, detail, changes, end ? null : now.plus(lease), step != last, now));
        last = step;
        lastDetail = detail;
    }

    /**
     * Writes the pending step changes, their leases renewed, then {@code update} unless {@code null}, in one commit,
     * with the whole journal as it stands after them: the lease's holder alone writes it, so the stored one need not
     * be read first.
     */
    private void written(ActionUpdate update) {
        Instant until = Instant.now().plus(lease);
        List<ActionUpdate> updates = new ArrayList<>(pending.size() + 1);
        pending.forEach(step -> updates.add(new ActionUpdate(step.step(), step.from(), step.to(), step.detail(),
                step.journalChanges(), until, step.history(), step.at())));
        Map<String, String> after = new HashMap<>(entries);
        if (update != null) {
            updates.add(update);
            update.applyTo(after);
        }
        repository.record(action.id(), action.fence(), action.leaseOwner(), updates, after);
        pending.clear();
        entries.clear();
        entries.putAll(after);
    }

    /** The detail of the last step written, as the operator reads it. */
    synchronized String lastDetail() {
        return lastDetail == null ? action.detail() : lastDetail;
    }

    /** The rate of the last transfer, for ordering the fastest servers first next time. */
    private void measure(StepEvent event) {
        if (event.state() == StepState.TRANSFERRING) {
            if (transferStarted == 0) {
                transferStarted = System.nanoTime();
            }
            transferBytes = Math.max(transferBytes, event.total());
        } else {
            leaving(event.state());
        }
    }

    /** The transfer ends with the first other step, told or journaled. */
    private void leaving(StepState next) {
        if (next != StepState.TRANSFERRING && transferStarted != 0 && last == StepState.TRANSFERRING
                && transferBytes > 0) {
            repository.recordTransfer(action.server(), transferBytes,
                    Duration.ofNanos(System.nanoTime() - transferStarted));
            transferStarted = 0;
        }
    }

    private void requireRunning() {
        if (stopping.getAsBoolean()) {
            throw new FleetupException(FleetupException.LEASE_LOST, "The controller is stopping: it leaves "
                    + action.server() + " to its next start, which takes the server up where it stands.");
        }
    }
}
