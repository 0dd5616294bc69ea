package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * upgrade's steps: each change is written, and every event told to the rollout's watchers.
 */
final class StoredJournal implements Journal, StepListener {

    private final RolloutRepository repository;
    private final RolloutAction action;
    private final Duration lease;
    private final BooleanSupplier stopping;
    private final RolloutTracker tracker;
    private final Map<String, String> entries;
    private StepState last;
    private String lastDetail;
    private long transferStarted;
    private long transferBytes;

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
        changes.forEach((key, value) -> {
            if (value == null) {
                entries.remove(key);
            } else {
                entries.put(key, value);
            }
        });
    }

    @Override
    public void onStep(StepEvent event) {
        synchronized (this) {
            measure(event);
            if (event.state() != last) {
                write(event.state(), null, null, event.detail(), Map.of(), false);
            } else {
                requireRunning();
            }
        }
        tracker.tell(event);
    }

    /** Writes how the server ended and lets the lease go. */
    synchronized void finish(ServerOutcome outcome) {
        write(outcome.state(), outcome.from(), outcome.to(), outcome.detail(), Map.of(), true);
    }

    /** Lets the lease go without a step: the action was claimed but not started. */
    synchronized void letGo() {
        requireRunning();
        repository.record(action.id(), action.fence(), new ActionUpdate(last, null, null, action.detail(), Map.of(),
                null, false, Instant.now()));
    }

    /**
     * Puts the action aside until {@code notBefore}, its lease let go and its journal kept: no thread waits for the
     * server meanwhile, and any controller takes it up then.
     */
    synchronized void defer(Instant notBefore, String detail) {
        requireRunning();
        repository.defer(action.id(), action.fence(), notBefore, detail);
    }

    /** The heartbeat: keeps the lease while a long step runs. */
    void renew() {
        requireRunning();
        repository.renew(action.id(), action.fence(), Instant.now().plus(lease));
    }

    private void write(StepState step, String from, String to, String detail, Map<String, String> changes,
                       boolean end) {
        requireRunning();
        leaving(step);
        Instant now = Instant.now();
        repository.record(action.id(), action.fence(), new ActionUpdate(step, from, to, detail, changes,
                end ? null : now.plus(lease), step != last, now));
        last = step;
        lastDetail = detail;
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
