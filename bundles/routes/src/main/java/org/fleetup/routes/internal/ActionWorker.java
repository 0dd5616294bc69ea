package org.fleetup.routes.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.api.upgrade.Upgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the route {@code fleet-action}: upgrades the server of one claimed action, its lease renewed by a
 * heartbeat while it works, every step written under the claim's fence. A server's fault is an outcome; a lost lease
 * stops the work at once.
 */
public final class ActionWorker {

    /** An action claimed by this controller, with its rollout as it stood at the claim. */
    public record Claim(Rollout rollout, RolloutAction action) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(ActionWorker.class);

    private final RolloutRepository repository;
    private final Inventory inventory;
    private final ReleaseStore store;
    private final Upgrader upgrader;
    private final RolloutTracker tracker;
    private final RolloutEngine engine;
    private final ScheduledExecutorService heartbeats;
    private final Duration lease;

    ActionWorker(RolloutRepository repository, Inventory inventory, ReleaseStore store, Upgrader upgrader,
                 RolloutTracker tracker, RolloutEngine engine, ScheduledExecutorService heartbeats, Duration lease) {
        this.repository = repository;
        this.inventory = inventory;
        this.store = store;
        this.upgrader = upgrader;
        this.tracker = tracker;
        this.engine = engine;
        this.heartbeats = heartbeats;
        this.lease = lease;
    }

    public void run(Claim claim) {
        RolloutAction action = claim.action();
        StoredJournal journal = new StoredJournal(repository, action, lease, engine::stopping, tracker);
        long beat = Math.max(50, lease.toMillis() / 3);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> renew(journal, action), beat, beat,
                TimeUnit.MILLISECONDS);
        try {
            ServerOutcome outcome = outcome(claim, journal);
            if (outcome != null) {
                journal.finish(outcome);
            }
        } catch (FleetupException e) {
            if (!FleetupException.LEASE_LOST.equals(e.code())) {
                throw e;
            }
            LOGGER.warn("{} of rollout {}: {}", action.server(), action.rollout(), e.getMessage());
        } finally {
            heartbeat.cancel(false);
            engine.ended(action.id());
        }
    }

    private void renew(StoredJournal journal, RolloutAction action) {
        try {
            journal.renew();
        } catch (RuntimeException e) {
            // The next step write is refused as well, and stops the work.
            LOGGER.warn("The lease of {} in rollout {} could not be renewed: {}", action.server(), action.rollout(),
                    e.getMessage());
        }
    }

    /** @return how the server ended, or {@code null} when the claim was let go untouched */
    private ServerOutcome outcome(Claim claim, StoredJournal journal) {
        RolloutAction action = claim.action();
        Rollout rollout = repository.rollout(action.rollout()).orElse(claim.rollout());
        if (action.step() == StepState.PENDING && rollout.status() != RolloutStatus.RUNNING) {
            if (rollout.status() == RolloutStatus.CANCELLING) {
                String why = "not started: rollout cancelled";
                tracker.tell(StepEvent.of(rollout.id(), action.server(), StepState.SKIPPED, why));
                return new ServerOutcome(action.server(), StepState.SKIPPED, null, null, why);
            }
            // Paused (or ended) since the claim: the server stays as it is, for a later claim.
            journal.letGo();
            return null;
        }
        Optional<Server> server = inventory.server(action.server());
        if (server.isEmpty()) {
            return new ServerOutcome(action.server(), StepState.FAILED, null, null, "no longer in the inventory");
        }
        try {
            Release release = store.require(rollout.product(), rollout.version());
            return upgrader.upgrade(rollout.id(), server.get(), release, rollout.force(), journal, journal);
        } catch (FleetupException e) {
            if (FleetupException.LEASE_LOST.equals(e.code())) {
                throw e;
            }
            return new ServerOutcome(action.server(), StepState.FAILED, null, null, e.getMessage());
        } catch (RuntimeException e) {
            // An upgrader never throws for a server's fault; this is a defect, but it must not stop the fleet.
            LOGGER.error("Upgrade of {} in rollout {} failed unexpectedly", action.server(), rollout.id(), e);
            return new ServerOutcome(action.server(), StepState.FAILED, null, null,
                    "unexpected error: " + e.getMessage());
        }
    }
}
