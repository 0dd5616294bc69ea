package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.RolloutRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This controller among those sharing the inventory, on a timer of its own (never on the way of a server's step): its
 * heartbeat, its election to the rollouts' decisions, whether another controller is alive, and, for a while after it
 * started, the leases of its own earlier lives whose heartbeat has run out since.
 */
final class ControllerPresence {

    /** The role of the controller that decides for every rollout: next wave, threshold, pause, cancel, completion. */
    static final String DECISIONS = "rollout-decisions";

    private static final Logger LOGGER = LoggerFactory.getLogger(ControllerPresence.class);

    private final RolloutRepository repository;
    private final RolloutEngine engine;
    private final RolloutTracker tracker;
    private final String name;
    private final String owner;
    private final String address;
    private final Duration lease;
    private final Duration beat;
    private final Instant started = Instant.now();
    private volatile ScheduledFuture<?> timer;
    private volatile long fence;

    /**
     * @param name the controller's configured name, which its incarnations' ids start with
     * @param owner this incarnation's id
     * @param lease how long an election holds without renewal; the heartbeat comes three times in that time, and
     *        holds for two of them
     */
    ControllerPresence(RolloutRepository repository, RolloutEngine engine, RolloutTracker tracker, String name,
                       String owner, String address, Duration lease) {
        this.repository = repository;
        this.engine = engine;
        this.tracker = tracker;
        this.name = name;
        this.owner = owner;
        this.address = address;
        this.lease = lease;
        this.beat = Duration.ofMillis(Math.max(50, lease.toMillis() / 3));
    }

    /** One heartbeat at once, so that the first tick knows whether it decides; then one every third of the lease. */
    void start(ScheduledExecutorService scheduler) {
        beat();
        timer = scheduler.scheduleWithFixedDelay(this::beat, beat.toMillis(), beat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the heartbeat and leaves: the roles it held pass at once to the next controller that asks. */
    void stop() {
        ScheduledFuture<?> running = timer;
        if (running != null) {
            running.cancel(false);
        }
        engine.decide(null, null);
        try {
            repository.leave(owner);
        } catch (RuntimeException e) {
            LOGGER.warn("Controller {} could not remove its heartbeat row; it is taken for dead once it runs out",
                    owner, e);
        }
    }

    void beat() {
        try {
            Instant now = Instant.now();
            repository.heartbeat(owner, address, started, now, now.plus(beat.multipliedBy(2)));
            OptionalLong elected = repository.elect(DECISIONS, owner, now, now.plus(lease));
            // It stops deciding a beat before its election could pass to another controller.
            engine.decide(elected.isPresent() ? new Election(DECISIONS, owner, elected.getAsLong()) : null,
                    now.plus(lease).minus(beat));
            if (elected.isPresent() && elected.getAsLong() != fence) {
                fence = elected.getAsLong();
                LOGGER.info("Controller {} makes the rollouts' decisions now (election {})", owner, fence);
            }
            tracker.shared(repository.controllers(now).stream()
                    .anyMatch(other -> !other.id().equals(owner) && other.aliveAt(now)));
            if (now.isBefore(started.plus(lease))) {
                // An earlier life killed just before this one started still had a heartbeat then: its servers come
                // back as soon as it runs out, not at the end of their leases.
                int taken = repository.expireLeases(name + "/", owner);
                if (taken > 0) {
                    LOGGER.info("Took back {} servers an earlier life of controller {} had in flight", taken, name);
                }
            }
        } catch (RuntimeException e) {
            engine.decide(null, null);
            LOGGER.warn("Controller {} could not tell the inventory it is alive; it leaves the rollouts' decisions to"
                    + " another controller until it can", owner, e);
        }
    }
}
