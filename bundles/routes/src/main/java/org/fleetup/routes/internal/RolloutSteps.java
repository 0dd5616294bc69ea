package org.fleetup.routes.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

import org.apache.camel.Header;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.api.upgrade.Upgrader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The work of the rollout routes: take the servers still to do, upgrade each, close the rollout. */
public final class RolloutSteps {

    static final String ROLLOUT_ID = "fleetupRollout";

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutSteps.class);

    /**
     * One server of a rollout.
     *
     * @param limit shared by the servers of one rollout, so that it upgrades at most its parallelism at once
     * @param begun whether its upgrade had begun before, in an earlier life of the controller: a cancel lets it finish
     */
    public record Task(String rollout, String server, Release release, boolean force, Semaphore limit,
                       boolean begun) {
    }

    private final RolloutRepository repository;
    private final Inventory inventory;
    private final ReleaseStore store;
    private final Upgrader upgrader;
    private final RolloutTracker tracker;
    private final RolloutLifecycle lifecycle;

    RolloutSteps(RolloutRepository repository, Inventory inventory, ReleaseStore store, Upgrader upgrader,
                 RolloutTracker tracker, RolloutLifecycle lifecycle) {
        this.repository = repository;
        this.inventory = inventory;
        this.store = store;
        this.upgrader = upgrader;
        this.tracker = tracker;
        this.lifecycle = lifecycle;
    }

    /**
     * Marks the rollout running; the servers that have not ended yet are the work (all of them, unless resumed). None
     * when it was cancelled before its time came.
     */
    public List<Task> begin(@Header(ROLLOUT_ID) String id) {
        Optional<Rollout> begun = lifecycle.begin(id);
        if (begun.isEmpty()) {
            return new ArrayList<>();
        }
        Rollout rollout = begun.get();
        Release release = store.require(rollout.product(), rollout.version());
        Semaphore limit = new Semaphore(rollout.parallelism());
        List<Task> work = repository.servers(id).stream()
                .filter(server -> !server.state().isFinal())
                .map(server -> new Task(id, server.server(), release, rollout.force(), limit,
                        server.state() != StepState.PENDING))
                .toList();
        LOGGER.info("Rollout {} of {} runs on {} servers, {} at a time", id, release.coordinates(), work.size(),
                rollout.parallelism());
        return new ArrayList<>(work);
    }

    public ServerOutcome upgrade(Task task) throws InterruptedException {
        task.limit().acquire();
        try {
            if (!task.begun() && lifecycle.isCancelling(task.rollout())) {
                return notStarted(task);
            }
            Optional<Server> server = inventory.server(task.server());
            ServerOutcome outcome = server.isEmpty()
                    ? new ServerOutcome(task.server(), StepState.FAILED, null, null, "no longer in the inventory")
                    : upgradeSafely(task, server.get());
            tracker.recordOutcome(task.rollout(), task.server(), outcome);
            return outcome;
        } finally {
            task.limit().release();
        }
    }

    /** A server of a cancelled rollout whose turn came after the cancel: left as it is. */
    private ServerOutcome notStarted(Task task) {
        String why = "not started: rollout cancelled";
        tracker.onStep(StepEvent.of(task.rollout(), task.server(), StepState.SKIPPED, why));
        ServerOutcome outcome = new ServerOutcome(task.server(), StepState.SKIPPED, null, null, why);
        tracker.recordOutcome(task.rollout(), task.server(), outcome);
        return outcome;
    }

    private ServerOutcome upgradeSafely(Task task, Server server) {
        try {
            return upgrader.upgrade(task.rollout(), server, task.release(), task.force(), tracker);
        } catch (RuntimeException e) {
            // An upgrader never throws for a server's fault; this is a defect, but it must not stop the fleet.
            LOGGER.error("Upgrade of {} in rollout {} failed unexpectedly", server.name(), task.rollout(), e);
            String why = "unexpected error: " + e.getMessage();
            tracker.onStep(StepEvent.of(task.rollout(), server.name(), StepState.FAILED, why));
            return new ServerOutcome(server.name(), StepState.FAILED, null, null, why);
        }
    }

    /** Closes the rollout with a count of how its servers ended. */
    public Rollout finish(@Header(ROLLOUT_ID) String id) {
        return lifecycle.finish(id);
    }
}
