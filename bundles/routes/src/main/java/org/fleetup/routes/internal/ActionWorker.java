package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.api.upgrade.Upgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of the route {@code fleet-action}, a node at a time: {@link #begin} takes the claimed action (its lease
 * renewed by a heartbeat while it works, every step written under the claim's fence), {@link #run} runs one step of
 * the server's {@link Procedure}, {@link #failed} ends it when a step failed for good, and {@link #finish} writes how
 * the server ended. A server's fault is an outcome; a lost lease stops the work at once.
 */
public final class ActionWorker {

    /** An action claimed by this controller, with its rollout as it stood at the claim. */
    public record Claim(Rollout rollout, RolloutAction action) {
    }

    /** The exchange property that holds the {@link Work} of the action the exchange carries. */
    static final String WORK = "fleetup.work";

    /** The exchange property that names the server of the action, for the route's log. */
    static final String SERVER = "fleetupServer";

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

    /** One claimed action on its way through the route. */
    static final class Work {

        private final RolloutAction action;
        private final StoredJournal journal;
        private Procedure procedure;
        private ServerOutcome outcome;
        private Procedure.Step step;
        private boolean lost;

        private Work(RolloutAction action, StoredJournal journal) {
            this.action = action;
            this.journal = journal;
        }

        /** Whether the steps still have a server to work on now. */
        boolean due() {
            return !lost && outcome == null && procedure != null && procedure.outcome().isEmpty()
                    && procedure.resumeAt().isEmpty();
        }
    }

    /** Takes the claim the exchange carries: from here on, whatever happens, the action is let go at the end. */
    public void begin(Exchange exchange) {
        Claim claim = exchange.getIn().getBody(Claim.class);
        RolloutAction action = claim.action();
        Work work = new Work(action, new StoredJournal(repository, action, lease, engine::stopping, tracker));
        long beat = Math.max(50, lease.toMillis() / 3);
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> renew(work.journal, action), beat, beat,
                TimeUnit.MILLISECONDS);
        exchange.setProperty(WORK, work);
        exchange.setProperty(SERVER, action.server());
        exchange.getUnitOfWork().addSynchronization(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                heartbeat.cancel(false);
                if (work.procedure != null) {
                    work.procedure.close();
                }
                engine.ended(action.id());
            }
        });
        guarded(work, () -> start(claim, work));
    }

    /** Runs one step of the server's procedure, when the server still needs it. */
    public void run(Exchange exchange, Procedure.Step step) {
        Work work = work(exchange);
        if (!work.due()) {
            return;
        }
        work.step = step;
        guarded(work, () -> work.procedure.run(step));
    }

    /** The step in the exchange failed for good (retries, if any, exhausted): the procedure ends with the reason. */
    public void failed(Exchange exchange) {
        Work work = work(exchange);
        RuntimeException cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, RuntimeException.class);
        if (work.lost || cause == null) {
            return;
        }
        if (work.procedure == null || FleetupException.hasCode(cause, FleetupException.LEASE_LOST)) {
            lose(work, cause);
            return;
        }
        guarded(work, () -> work.procedure.fail(work.step, cause));
    }

    /** Writes how the server ended, or when to go on with it, and lets the lease go. */
    public void finish(Exchange exchange) {
        Work work = work(exchange);
        if (work.lost) {
            return;
        }
        Optional<Instant> resumeAt = work.outcome == null && work.procedure != null
                ? work.procedure.resumeAt() : Optional.empty();
        if (resumeAt.isPresent()) {
            guarded(work, () -> work.journal.defer(resumeAt.get(), work.journal.lastDetail()));
            return;
        }
        ServerOutcome outcome = work.outcome != null ? work.outcome
                : work.procedure == null ? null : work.procedure.outcome().orElse(null);
        if (outcome == null) {
            // A procedure ends with an outcome once every step ran: none means a defect, not the server's fault.
            outcome = new ServerOutcome(work.action.server(), StepState.FAILED, null, null,
                    "unexpected error: the upgrade ran every step without an outcome");
        }
        ServerOutcome ending = outcome;
        guarded(work, () -> work.journal.finish(ending));
    }

    private static Work work(Exchange exchange) {
        return exchange.getProperty(WORK, Work.class);
    }

    /** The checks before the first step: a claim on a rollout paused or cancelled since is not started. */
    private void start(Claim claim, Work work) {
        RolloutAction action = claim.action();
        // What the claim read of the rollout holds but for its status, which may have changed since.
        Rollout rollout = claim.rollout();
        RolloutStatus status = repository.status(rollout.id()).orElse(rollout.status());
        if (action.step() == StepState.PENDING && status != RolloutStatus.RUNNING) {
            if (status == RolloutStatus.CANCELLING) {
                String why = "not started: rollout cancelled";
                tracker.tell(StepEvent.of(rollout.id(), action.server(), StepState.SKIPPED, why));
                work.outcome = new ServerOutcome(action.server(), StepState.SKIPPED, null, null, why);
                return;
            }
            // Paused (or ended) since the claim: the server stays as it is, for a later claim.
            work.journal.letGo();
            work.lost = true;
            return;
        }
        Optional<Server> server = inventory.server(action.server());
        if (server.isEmpty()) {
            work.outcome = new ServerOutcome(action.server(), StepState.FAILED, null, null,
                    "no longer in the inventory");
            return;
        }
        try {
            Release release = store.require(rollout.product(), rollout.version());
            work.procedure = upgrader.begin(rollout.id(), server.get(), release, rollout.force(), work.journal,
                    work.journal);
        } catch (FleetupException e) {
            work.outcome = new ServerOutcome(action.server(), StepState.FAILED, null, null, e.getMessage());
        }
    }

    // A lost lease stops the work at once; anything else unexpected is a defect, which must not stop the fleet.
    private void guarded(Work work, Runnable part) {
        try {
            part.run();
        } catch (FleetupException e) {
            if (!FleetupException.LEASE_LOST.equals(e.code())) {
                throw e;
            }
            lose(work, e);
        }
    }

    private void lose(Work work, RuntimeException cause) {
        work.lost = true;
        LOGGER.warn("{} of rollout {}: {}", work.action.server(), work.action.rollout(), cause.getMessage());
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
}
