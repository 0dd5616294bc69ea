package org.fleetup.routes.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a rollout's status, each made under one lock: so that two starts cannot both take a server, and a
 * cancel cannot cross the start or the end of the rollout it cancels. A rollout that has not ended holds its servers.
 * The lock guards this controller's own changes; controllers sharing a database will need the database to decide.
 */
final class RolloutLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutLifecycle.class);

    private final RolloutRepository repository;
    private final Inventory inventory;
    private final RolloutTracker tracker;
    /** The rollouts cancelled while running: their servers not begun yet are not started. */
    private final Set<String> cancelling = ConcurrentHashMap.newKeySet();

    RolloutLifecycle(RolloutRepository repository, Inventory inventory, RolloutTracker tracker) {
        this.repository = repository;
        this.inventory = inventory;
        this.tracker = tracker;
    }

    /**
     * Saves a new rollout, its servers pending, unless a rollout that has not ended holds one of them.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_CONFLICT}, naming the servers and who holds them
     */
    synchronized void create(Rollout rollout, String actor, String what) {
        Set<String> wanted = Set.copyOf(rollout.servers());
        Map<Rollout, List<String>> held = new LinkedHashMap<>();
        for (Rollout other : repository.unfinished()) {
            List<String> taken = other.servers().stream().filter(wanted::contains).toList();
            if (!taken.isEmpty()) {
                held.put(other, taken);
            }
        }
        if (!held.isEmpty()) {
            throw conflict(held);
        }
        repository.saveRollout(rollout);
        inventory.audit(actor, "rollout-start", what);
    }

    private static FleetupException conflict(Map<Rollout, List<String>> held) {
        String holders = held.entrySet().stream()
                .map(entry -> String.join(", ", entry.getValue()) + (entry.getValue().size() == 1 ? " is" : " are")
                        + " in rollout " + entry.getKey().id() + " (" + entry.getKey().status() + ")")
                .collect(Collectors.joining("; "));
        boolean one = held.size() == 1;
        String id = one ? held.keySet().iterator().next().id() : "ID";
        return new FleetupException(FleetupException.ROLLOUT_CONFLICT, holders + ", and a server is in one rollout at"
                + " a time. Wait for " + (one ? "that rollout" : "those rollouts") + " to end ('fleet:rollout-status "
                + id + "'), or cancel " + (one ? "it" : "them") + " ('fleet:rollout-cancel " + id + "'), then start"
                + " again; or leave those servers out.");
    }

    /**
     * Marks the rollout running, as its time has come or it is taken up again.
     *
     * @return the rollout, or empty when it has ended meanwhile (cancelled before its time)
     */
    synchronized Optional<Rollout> begin(String id) {
        Rollout rollout = repository.rollout(id).orElseThrow(() -> new FleetupException(
                FleetupException.ROLLOUT_NOT_FOUND, "Rollout " + id + " vanished from the inventory"));
        if (rollout.status().isFinal()) {
            LOGGER.info("Rollout {} ended {} before it began: nothing to do", id, rollout.status());
            return Optional.empty();
        }
        if (rollout.status() == RolloutStatus.CANCELLING) {
            cancelling.add(id);
            return Optional.of(rollout);
        }
        Rollout running = rollout.withStatus(RolloutStatus.RUNNING, null, null);
        repository.saveRollout(running);
        return Optional.of(running);
    }

    /** Whether the rollout was cancelled while running: a server of it not begun yet is then not started. */
    boolean isCancelling(String id) {
        return cancelling.contains(id);
    }

    /**
     * @return the rollout after the cancel: {@link RolloutStatus#CANCELLED} when it had not begun,
     *         {@link RolloutStatus#CANCELLING} when it runs
     */
    synchronized Rollout cancel(String id, String actor) {
        Rollout rollout = repository.rollout(id).orElseThrow(() -> new FleetupException(
                FleetupException.ROLLOUT_NOT_FOUND,
                "Unknown rollout '" + id + "'. 'fleet:rollout-status' lists the rollouts."));
        String by = "cancelled by " + actor;
        switch (rollout.status()) {
            case SCHEDULED -> {
                Rollout cancelled = rollout.withStatus(RolloutStatus.CANCELLED, Instant.now(),
                        by + " before it started");
                repository.saveRollout(cancelled);
                markUnfinished(id, StepState.SKIPPED, "not started: rollout " + by);
                inventory.audit(actor, "rollout-cancel", id + " " + coordinates(rollout) + ", scheduled at "
                        + rollout.startAt() + ": dropped before it started");
                LOGGER.info("Rollout {} {} before it started", id, by);
                tracker.ended(cancelled);
                return cancelled;
            }
            case RUNNING -> {
                cancelling.add(id);
                Rollout cancelling = rollout.withStatus(RolloutStatus.CANCELLING, null, by);
                repository.saveRollout(cancelling);
                inventory.audit(actor, "rollout-cancel", id + " " + coordinates(rollout)
                        + ": running; no new server starts, those in flight finish");
                LOGGER.info("Rollout {} {} while running: no new server starts, those in flight finish", id, by);
                return cancelling;
            }
            case CANCELLING -> {
                return rollout;
            }
            default -> throw new FleetupException(FleetupException.ROLLOUT_ENDED, "Rollout " + id + " has ended "
                    + rollout.status() + (rollout.finishedAt() == null ? ""
                            : " at " + rollout.finishedAt().truncatedTo(ChronoUnit.SECONDS))
                    + ": there is nothing to cancel. 'fleet:rollout-status " + id + "' shows how it ended.");
        }
    }

    /** Closes the rollout, once every server of it has ended, with a count of how they ended. */
    synchronized Rollout finish(String id) {
        Rollout rollout = repository.rollout(id).orElseThrow();
        if (rollout.status().isFinal()) {
            tracker.ended(rollout);
            return rollout;
        }
        Map<String, Long> outcomes = repository.servers(id).stream()
                .collect(Collectors.groupingBy(server -> server.state().outcome(), Collectors.counting()));
        String summary = outcomes.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getValue() + " " + entry.getKey())
                .collect(Collectors.joining(", "));
        boolean cancelled = rollout.status() == RolloutStatus.CANCELLING;
        Rollout ended = cancelled
                ? rollout.withStatus(RolloutStatus.CANCELLED, Instant.now(), rollout.detail() + ": " + summary)
                : rollout.withStatus(RolloutStatus.FINISHED, Instant.now(), summary);
        repository.saveRollout(ended);
        inventory.audit("fleetup", cancelled ? "rollout-cancelled" : "rollout-finished", id + " "
                + coordinates(rollout) + ": " + ended.detail());
        LOGGER.info("Rollout {} {}: {}", id, ended.status(), ended.detail());
        cancelling.remove(id);
        tracker.ended(ended);
        return ended;
    }

    /** Closes a rollout that cannot go on; its servers that had not ended fail with the reason. */
    synchronized void abort(String id, String why) {
        repository.rollout(id).filter(r -> !r.status().isFinal()).ifPresent(rollout -> {
            Rollout aborted = rollout.withStatus(RolloutStatus.ABORTED, Instant.now(), why);
            repository.saveRollout(aborted);
            markUnfinished(id, StepState.FAILED, "rollout aborted: " + why);
            cancelling.remove(id);
            LOGGER.error("Rollout {} aborted: {}", id, why);
            tracker.ended(aborted);
        });
    }

    private void markUnfinished(String id, StepState state, String detail) {
        for (RolloutServer server : repository.servers(id)) {
            if (!server.state().isFinal()) {
                repository.saveServer(new RolloutServer(id, server.server(), state, server.from(), server.to(),
                        detail, Instant.now()));
            }
        }
    }

    private static String coordinates(Rollout rollout) {
        return rollout.product() + "/" + rollout.version();
    }
}
