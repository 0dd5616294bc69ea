package org.fleetup.routes.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

import org.apache.camel.Header;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
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
     */
    public record Task(String rollout, String server, Release release, boolean force, Semaphore limit) {
    }

    private final RolloutRepository repository;
    private final Inventory inventory;
    private final ReleaseStore store;
    private final Upgrader upgrader;
    private final RolloutTracker tracker;

    RolloutSteps(RolloutRepository repository, Inventory inventory, ReleaseStore store, Upgrader upgrader,
                 RolloutTracker tracker) {
        this.repository = repository;
        this.inventory = inventory;
        this.store = store;
        this.upgrader = upgrader;
        this.tracker = tracker;
    }

    /** Marks the rollout running; the servers that have not ended yet are the work (all of them, unless resumed). */
    public List<Task> begin(@Header(ROLLOUT_ID) String id) {
        Rollout rollout = repository.rollout(id).orElseThrow(() -> new FleetupException(
                FleetupException.ROLLOUT_NOT_FOUND, "Rollout " + id + " vanished from the inventory"));
        Release release = store.require(rollout.product(), rollout.version());
        repository.saveRollout(rollout.withStatus(RolloutStatus.RUNNING, null, null));
        Semaphore limit = new Semaphore(rollout.parallelism());
        List<Task> work = repository.servers(id).stream()
                .filter(server -> !server.state().isFinal())
                .map(server -> new Task(id, server.server(), release, rollout.force(), limit))
                .toList();
        LOGGER.info("Rollout {} of {} runs on {} servers, {} at a time", id, release.coordinates(), work.size(),
                rollout.parallelism());
        return new ArrayList<>(work);
    }

    public ServerOutcome upgrade(Task task) throws InterruptedException {
        task.limit().acquire();
        try {
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
        Rollout rollout = repository.rollout(id).orElseThrow();
        Map<String, Long> outcomes = repository.servers(id).stream()
                .collect(Collectors.groupingBy(server -> server.state().outcome(), Collectors.counting()));
        String summary = outcomes.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getValue() + " " + entry.getKey())
                .collect(Collectors.joining(", "));
        Rollout ended = rollout.withStatus(RolloutStatus.FINISHED, Instant.now(), summary);
        repository.saveRollout(ended);
        inventory.audit("fleetup", "rollout-finished", id + " " + rollout.product() + "/" + rollout.version() + ": "
                + summary);
        LOGGER.info("Rollout {} finished: {}", id, summary);
        tracker.ended(ended);
        return ended;
    }

    /** Closes a rollout that could not go on. */
    void abort(String id, Throwable why) {
        repository.rollout(id).filter(r -> !r.status().isFinal()).ifPresent(rollout -> {
            Rollout aborted = rollout.withStatus(RolloutStatus.ABORTED, Instant.now(), String.valueOf(why.getMessage()));
            repository.saveRollout(aborted);
            for (RolloutServer server : repository.servers(id)) {
                if (!server.state().isFinal()) {
                    repository.saveServer(new RolloutServer(id, server.server(), StepState.FAILED, server.from(),
                            server.to(), "rollout aborted: " + why.getMessage(), Instant.now()));
                }
            }
            LOGGER.error("Rollout {} aborted", id, why);
            tracker.ended(aborted);
        });
    }
}
