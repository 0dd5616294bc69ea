package org.fleetup.routes.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a rollout's status, each made under one lock: so that a cancel, a pause or a resume cannot cross
 * the start or the end of the rollout it changes. A rollout that has not ended holds its servers; the inventory
 * enforces that, for this controller and any other sharing the database.
 */
final class RolloutLifecycle {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutLifecycle.class);

    private final RolloutRepository repository;
    private final Inventory inventory;
    private final RolloutTracker tracker;

    RolloutLifecycle(RolloutRepository repository, Inventory inventory, RolloutTracker tracker) {
        this.repository = repository;
        this.inventory = inventory;
        this.tracker = tracker;
    }

    /**
     * Saves a new rollout with its waves, its servers pending, unless a rollout that has not ended holds one of them;
     * the inventory checks that in the same transaction, and its index refuses what another controller races in.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_CONFLICT}, naming the servers and who holds them
     */
    synchronized void create(Rollout rollout, List<Wave> waves, String actor, String what) {
        repository.create(rollout, waves);
        inventory.audit(actor, "rollout-start", what);
    }

    /**
     * Marks the rollout running, as its time has come or it is taken up again.
     *
     * @return the rollout, or empty when it has ended meanwhile (cancelled before its time)
     */
    synchronized Optional<Rollout> begin(String id, Election by) {
        Rollout rollout = repository.rollout(id).orElseThrow(() -> new FleetupException(
                FleetupException.ROLLOUT_NOT_FOUND, "Rollout " + id + " vanished from the inventory"));
        if (rollout.status().isFinal()) {
            LOGGER.info("Rollout {} ended {} before it began: nothing to do", id, rollout.status());
            return Optional.empty();
        }
        if (rollout.status() != RolloutStatus.SCHEDULED) {
            return Optional.of(rollout);
        }
        Rollout running = rollout.withStatus(RolloutStatus.RUNNING, null, null);
        // Begun by another controller meanwhile: it runs all the same.
        return repository.moveRollout(running, RolloutStatus.SCHEDULED, by) ? Optional.of(running)
                : repository.rollout(id).filter(r -> r.status() == RolloutStatus.RUNNING);
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
                move(rollout, cancelled);
                repository.endNotStarted(id, 0, StepState.SKIPPED, "not started: rollout " + by, Instant.now());
                inventory.audit(actor, "rollout-cancel", id + " " + coordinates(rollout) + ", scheduled at "
                        + rollout.startAt() + ": dropped before it started");
                LOGGER.info("Rollout {} {} before it started", id, by);
                tracker.ended(cancelled);
                return cancelled;
            }
            case RUNNING, PAUSED -> {
                Rollout cancelling = rollout.withStatus(RolloutStatus.CANCELLING, null, by);
                move(rollout, cancelling);
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

    /**
     * Closes the rollout, once every server of it has ended, with a count of how they ended in the report's words
     * ({@link ReportStatus}): a server rolled back, not installable or never started is told as such, as in the
     * report, not as failed or skipped.
     */
    synchronized Rollout finish(String id, Election by) {
        Rollout rollout = repository.rollout(id).orElseThrow();
        if (rollout.status().isFinal()) {
            tracker.ended(rollout);
            return rollout;
        }
        List<RolloutServer> servers = repository.servers(id);
        Map<String, Long> outcomes = servers.stream()
                .collect(Collectors.groupingBy(server -> ReportStatus.of(server).label(), Collectors.counting()));
        String summary = outcomes.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getValue() + " " + entry.getKey())
                .collect(Collectors.joining(", "));
        boolean cancelled = rollout.status() == RolloutStatus.CANCELLING;
        Rollout ended = cancelled
                ? rollout.withStatus(RolloutStatus.CANCELLED, Instant.now(), rollout.detail() + ": " + summary)
                : rollout.withStatus(RolloutStatus.FINISHED, Instant.now(), summary);
        if (!repository.moveRollout(ended, rollout.status(), by)) {
            // Closed by another controller meanwhile, or to be closed by the one that decides now.
            return repository.rollout(id).orElseThrow();
        }
        inventory.audit("fleetup", cancelled ? "rollout-cancelled" : "rollout-finished", id + " "
                + coordinates(rollout) + ": " + ended.detail());
        LOGGER.info("Rollout {} {}: {}", id, ended.status(), ended.detail());
        String failed = servers.stream().filter(server -> ReportStatus.of(server).isFailure())
                .map(server -> server.server() + " (" + ReportStatus.of(server).label() + ": " + server.detail() + ")")
                .collect(Collectors.joining(", "));
        if (!failed.isEmpty()) {
            LOGGER.warn("Rollout {}: did not get {}: {}", id, coordinates(rollout), failed);
        }
        tracker.ended(ended);
        return ended;
    }

    /** Closes a rollout that cannot go on; its servers that had not ended fail with the reason. */
    synchronized void abort(String id, String why) {
        repository.rollout(id).filter(r -> !r.status().isFinal()).ifPresent(rollout -> {
            Rollout aborted = rollout.withStatus(RolloutStatus.ABORTED, Instant.now(), why);
            move(rollout, aborted);
            markUnfinished(id, StepState.FAILED, "rollout aborted: " + why);
            LOGGER.error("Rollout {} aborted: {}", id, why);
            tracker.ended(aborted);
        });
    }

    /**
     * Pauses a scheduled or running rollout: nothing new is claimed; the servers in flight finish.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_ENDED}, or {@link FleetupException#ROLLOUT_STATE} when
     *         it is being cancelled
     */
    synchronized Rollout pause(String id, String actor) {
        Rollout rollout = require(id);
        switch (rollout.status()) {
            case PAUSED -> {
                return rollout;
            }
            case SCHEDULED, RUNNING -> {
                Rollout paused = rollout.withStatus(RolloutStatus.PAUSED, null, "paused by " + actor);
                move(rollout, paused);
                inventory.audit(actor, "rollout-pause", id + " " + coordinates(rollout)
                        + ": no new server starts, those in flight finish");
                LOGGER.info("Rollout {} paused by {}", id, actor);
                return paused;
            }
            case CANCELLING -> throw new FleetupException(FleetupException.ROLLOUT_STATE, "Rollout " + id
                    + " is being cancelled: it starts no new server already, and ends once those in flight have.");
            default -> throw ended(rollout, "pause");
        }
    }

    /**
     * Resumes a paused rollout: a wave that halted it counts as done (its servers not started never start), and the
     * next wave opens.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_STATE} when it is not paused
     */
    synchronized Rollout resume(String id, String actor) {
        Rollout rollout = require(id);
        if (rollout.status() != RolloutStatus.PAUSED) {
            throw new FleetupException(FleetupException.ROLLOUT_STATE, "Rollout " + id + " is " + rollout.status()
                    + ", not paused: there is nothing to resume. 'fleet:rollout-status " + id + "' shows it.");
        }
        for (Wave wave : repository.waves(id)) {
            if (wave.status() == WaveStatus.HALTED) {
                repository.endNotStarted(id, wave.number(), StepState.SKIPPED, "not started: wave " + wave.number()
                        + " halted the rollout", Instant.now());
            }
        }
        boolean early = rollout.startAt() != null && rollout.startAt().isAfter(Instant.now());
        Rollout resumed = rollout.withStatus(early ? RolloutStatus.SCHEDULED : RolloutStatus.RUNNING, null, null);
        move(rollout, resumed);
        inventory.audit(actor, "rollout-resume", id + " " + coordinates(rollout) + ", paused as: "
                + rollout.detail());
        LOGGER.info("Rollout {} resumed by {}", id, actor);
        return resumed;
    }

    /** A wave's failures reached its max errors: it halts, and the rollout pauses with the reason. */
    synchronized void pauseOnErrors(String id, Wave wave, String why, Election by) {
        Rollout rollout = require(id);
        if (rollout.status() != RolloutStatus.RUNNING
                || !repository.haltWave(halted(wave), rollout.withStatus(RolloutStatus.PAUSED, null, why), by)) {
            return; // halted by another controller, or no longer this one's to decide
        }
        inventory.audit("fleetup", "rollout-paused", id + " " + coordinates(rollout) + ": " + why
                + "; 'fleet:rollout-resume " + id + "' goes on with the next wave");
        LOGGER.warn("Rollout {} paused: {}", id, why);
    }

    /** A wave's failures reached its max errors: the rollout aborts, its servers not started never start. */
    synchronized void abortOnErrors(String id, Wave wave, String why, Election by) {
        Rollout rollout = require(id);
        if (rollout.status() != RolloutStatus.RUNNING) {
            return;
        }
        Rollout aborted = rollout.withStatus(RolloutStatus.ABORTED, Instant.now(), why);
        if (!repository.haltWave(halted(wave), aborted, by)) {
            return;
        }
        repository.endNotStarted(id, 0, StepState.SKIPPED, "not started: rollout aborted: " + why, Instant.now(),
                by);
        inventory.audit("fleetup", "rollout-aborted", id + " " + coordinates(rollout) + ": " + why);
        LOGGER.error("Rollout {} aborted: {}", id, why);
        tracker.ended(aborted);
    }

    private static Wave halted(Wave wave) {
        return new Wave(wave.rollout(), wave.number(), wave.size(), wave.maxErrors(), WaveStatus.HALTED,
                wave.startedAt(), Instant.now());
    }

    /**
     * Moves the rollout from the status it was read in; another controller (or a worker's end) changed it meanwhile
     * when that fails, and the operator is told to look again.
     */
    private void move(Rollout from, Rollout to) {
        if (!repository.moveRollout(to, from.status())) {
            throw new FleetupException(FleetupException.ROLLOUT_STATE, "Rollout " + from.id() + " changed while this"
                    + " was asked (it was " + from.status() + "). 'fleet:rollout-status " + from.id() + "' shows it"
                    + " now; ask again if still needed.");
        }
    }

    private Rollout require(String id) {
        return repository.rollout(id).orElseThrow(() -> new FleetupException(FleetupException.ROLLOUT_NOT_FOUND,
                "Unknown rollout '" + id + "'. 'fleet:rollout-status' lists the rollouts."));
    }

    private static FleetupException ended(Rollout rollout, String verb) {
        return new FleetupException(FleetupException.ROLLOUT_ENDED, "Rollout " + rollout.id() + " has ended "
                + rollout.status() + (rollout.finishedAt() == null ? ""
                        : " at " + rollout.finishedAt().truncatedTo(ChronoUnit.SECONDS))
                + ": there is nothing to " + verb + ". 'fleet:rollout-status " + rollout.id()
                + "' shows how it ended.");
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
