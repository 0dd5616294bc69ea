package org.fleetup.api.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;

import org.fleetup.api.upgrade.StepState;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where rollouts, their waves and the per-server actions of each are persisted: the state the rollout engine advances.
 * Implemented by Fleetup's inventory only.
 */
@ProviderType
public interface RolloutRepository {

    /**
     * Inserts a new rollout, its waves and one pending action per server (the servers of {@code rollout} in order,
     * given to the waves by their sizes), in one transaction, unless a rollout that has not ended holds one of its
     * servers. An existing id is never overwritten.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#ROLLOUT_CONFLICT} naming the
     *         servers and who holds them
     */
    void create(Rollout rollout, List<Wave> waves);

    /** The rollout's waves, in order; empty for an unknown one. */
    List<Wave> waves(String rollout);

    /**
     * Moves a wave to the status and times of {@code wave} if it is still {@code from}: of several controllers that see
     * the same change to make, one makes it.
     *
     * @return whether this call moved it
     */
    boolean moveWave(Wave wave, WaveStatus from);

    /**
     * {@link #moveWave(Wave, WaveStatus)} as a decision of the controller elected {@code by}: in the same transaction
     * as its election is checked still to hold (its role's fence unchanged, and the role's row locked against a new
     * election meanwhile), so that a controller deposed since (paused, cut off) changes nothing.
     *
     * @return whether this call moved it; {@code false} too when {@code by} no longer holds
     */
    boolean moveWave(Wave wave, WaveStatus from, Election by);

    /**
     * Moves a rollout to the status, end time and detail of {@code rollout} if it is still {@code from}; one that ends
     * lets its servers go in the same transaction.
     *
     * @return whether this call moved it
     */
    boolean moveRollout(Rollout rollout, RolloutStatus from);

    /**
     * {@link #moveRollout(Rollout, RolloutStatus)} as a decision of the controller elected {@code by}, fenced as
     * {@link #moveWave(Wave, WaveStatus, Election)} is.
     *
     * @return whether this call moved it; {@code false} too when {@code by} no longer holds
     */
    boolean moveRollout(Rollout rollout, RolloutStatus from, Election by);

    /**
     * Halts a running wave whose failures reached its max errors and moves its running rollout to {@code rollout}'s
     * status (paused or aborted) and detail, both in one transaction under the election {@code by}: a decider deposed
     * between the two would otherwise leave a halted wave in a running rollout, whose next wave the next decider opens.
     *
     * @return whether this call made both moves; {@code false} (and neither) when the wave or the rollout had moved
     *         already, or {@code by} no longer holds
     */
    boolean haltWave(Wave halted, Rollout rollout, Election by);

    /** The actions of a rollout, in its order. */
    List<RolloutAction> actions(String rollout);

    /** The action of one server of a rollout, read alone. */
    Optional<RolloutAction> action(String rollout, String server);

    /**
     * Adds {@code server} to a rollout that has not ended, pending: to its last wave while that wave has not ended and
     * holds fewer than {@code waveSize} servers (any number when 0), else to a new wave after it with
     * {@code maxErrors}. Nothing changes when the server is in the rollout already.
     *
     * @return whether the server is in the rollout now; {@code false} when the rollout has ended
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#ROLLOUT_CONFLICT} when another
     *         rollout that has not ended holds the server
     */
    boolean join(String rollout, String server, int waveSize, int maxErrors, Instant at);

    /**
     * Claims an action that has not ended, whose lease is free or expired at {@code now} and that is not deferred past
     * {@code now} ({@link RolloutAction#notBefore}): one conditional update that sets the lease and raises the fence.
     *
     * @return the action as claimed, or empty when another controller holds it or it has ended
     */
    Optional<RolloutAction> claim(String action, String owner, Instant now, Instant until);

    /**
     * Claims, in one transaction, up to {@code limit} actions of a rollout as {@link #claim} claims one, in the
     * rollout's order, and no more than keep the rollout's actions leased at {@code now} (in {@code wave}) within
     * {@code parallelism}. Pull agents ({@link org.fleetup.api.pull.PullAgents}) are never claimed: no worker reaches
     * them. Controllers claiming at once get disjoint actions, and none waits for another's claim (PostgreSQL's
     * {@code FOR UPDATE SKIP LOCKED}).
     *
     * @param wave only the actions of this wave; of every wave when 0
     * @param begunOnly only those past {@link StepState#PENDING}: the servers a paused or cancelled rollout finishes
     * @param passOver actions the caller still works on, never claimed again by it: a worker slow to renew (a loaded
     *        machine, a long collection) lets its lease run out, and claiming the action again would stop that worker
     *        at its next write and start the server's work over
     * @return the actions as claimed, in the rollout's order; fewer than {@code limit}, or none, when no more are due
     */
    List<RolloutAction> claimDue(String rollout, int wave, boolean begunOnly, int parallelism, int limit,
                                 Set<String> passOver, String owner, Instant now, Instant until);

    /**
     * Writes a step of an action, its journal changes and its history row in one transaction, if {@code fence} is
     * still the action's.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST} when the action
     *         was claimed since: the caller must stop touching its server
     */
    void record(String action, long fence, ActionUpdate update);

    /**
     * Writes several steps of an action, in order, in one transaction, if {@code fence} is still the action's: the
     * steps a worker went through since its last write reach the inventory, history rows included, with its next
     * write, in one commit instead of one each.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST} as
     *         {@link #record(String, long, ActionUpdate)}, and then none of them is written
     */
    void record(String action, long fence, List<ActionUpdate> updates);

    /**
     * As {@link #record(String, long, List)}, by the holder of the action's lease, which keeps the action's whole
     * journal as it stands: {@code journal} is written as it is after the updates (their journal changes are already
     * in it), without reading the one stored first, and every history row names {@code holder} as its writer. Only the
     * holder of the lease writes an action's journal, so the one it keeps is the one stored.
     *
     * @param holder the owner the claim gave the lease to ({@code null}: the rows name the lease's holder as stored)
     * @param journal every entry of the journal after the updates
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST} as
     *         {@link #record(String, long, ActionUpdate)}, and then none of them is written
     */
    void record(String action, long fence, String holder, List<ActionUpdate> updates, Map<String, String> journal);

    /**
     * Puts an action still held with {@code fence} aside until {@code notBefore}: its lease is let go, no controller
     * claims it before then, and its detail (and a history row) say why. An action that never started stays
     * {@link StepState#PENDING} (nothing was done on its server, so a cancel or a pause still counts it as not
     * started); one under way becomes {@link StepState#WAITING}. Its journal is kept.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST} when the action
     *         was claimed since
     */
    void defer(String action, long fence, Instant notBefore, String detail);

    /**
     * Extends the lease of an action still held with {@code fence}.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#LEASE_LOST}
     */
    void renew(String action, long fence, Instant until);

    /**
     * Lets the leases held by the earlier incarnations of a controller expire at once, so that the current one claims
     * them again without waiting. An incarnation whose heartbeat ({@link #heartbeat}) still holds keeps its leases: it
     * is another controller given the same name, alive.
     *
     * @param ownerPrefix what the owners of that controller start with
     * @param current the owner that is kept
     * @return how many leases were let go
     */
    int expireLeases(String ownerPrefix, String current);

    /**
     * Ends the actions of a rollout that never started (step pending, no live lease) with {@code step}, each with a
     * history row.
     *
     * @param wave only those of this wave; of every wave when 0
     * @return how many ended
     */
    int endNotStarted(String rollout, int wave, StepState step, String detail, Instant at);

    /**
     * {@link #endNotStarted(String, int, StepState, String, Instant)} as a decision of the controller elected
     * {@code by}, fenced as {@link #moveWave(Wave, WaveStatus, Election)} is.
     *
     * @return how many ended; 0 when {@code by} no longer holds
     */
    int endNotStarted(String rollout, int wave, StepState step, String detail, Instant at, Election by);

    /** Every step of one server of a rollout, oldest first. */
    List<StepRecord> history(String rollout, String server);

    /** Records how fast a transfer to a server went, for ordering the fastest first. */
    void recordTransfer(String server, long bytes, Duration took);

    /** The last recorded transfer rate of each server that has one, in bytes per second. */
    Map<String, Double> transferRates();

    /**
     * Records the round trip measured on a server's connection (its login and a first answer), for ordering servers
     * never sent a release by how close they are.
     */
    void recordRoundTrip(String server, Duration roundTrip);

    /** The last recorded round trip of each server that has one. */
    Map<String, Duration> roundTrips();

    /** Inserts or updates a rollout (its status, times and detail); servers new to it get pending actions. */
    void saveRollout(Rollout rollout);

    Optional<Rollout> rollout(String id);

    /**
     * The status of a rollout alone: what a worker checks before each server, where reading the whole rollout (its
     * every server) would make a rollout's cost grow with the square of its size.
     *
     * @return empty when there is no such rollout
     */
    Optional<RolloutStatus> status(String id);

    /**
     * A rollout without its servers ({@link Rollout#servers()} empty), read from its one row: what an agent's check
     * needs, where reading every server would make a rollout's cost grow with the square of its size.
     */
    Optional<Rollout> summary(String id);

    /** Newest first. */
    List<Rollout> rollouts();

    /**
     * The rollouts that have not ended (whose {@link RolloutStatus} is not final), oldest first. A row whose status
     * this Fleetup does not know is not among them.
     */
    List<Rollout> unfinished();

    /**
     * The rollouts that have not ended, as {@link #unfinished()}, but without their servers ({@link Rollout#servers()}
     * empty): what the engine reads at each tick, a row per rollout whatever its size.
     */
    List<Rollout> unfinishedSummaries();

    /**
     * The progress of each wave of a rollout that has actions, in order, counted in the database: the engine's view
     * of a rollout at each tick, a row per wave whatever the rollout's size.
     */
    List<WaveProgress> progress(String rollout);

    /** Inserts or updates the state of one server of a rollout, unfenced: for rollouts no engine works on. */
    void saveServer(RolloutServer server);

    /** Ordered as the rollout's servers are. */
    List<RolloutServer> servers(String rollout);

    /**
     * Tells that controller {@code id} is alive at {@code now} and until {@code until}: its row is made at the first
     * heartbeat.
     *
     * @param address where an operator reaches it
     * @param started when this incarnation started
     */
    void heartbeat(String id, String address, Instant started, Instant now, Instant until);

    /** Removes the row of controller {@code id}, which stops, and lets go of the roles it was elected to. */
    void leave(String id);

    /** The controllers that share this inventory, with the number of servers each holds a lease on at {@code now}. */
    List<Controller> controllers(Instant now);

    /**
     * Elects {@code owner} to {@code role} until {@code until}, or keeps it elected: one conditional write on the
     * role's row, which succeeds when {@code owner} holds the role, when the role's lease has expired at {@code now},
     * or when its holder's heartbeat no longer holds. A new holder raises the role's fence.
     *
     * @return the role's fence while {@code owner} holds it, empty when another controller does
     */
    OptionalLong elect(String role, String owner, Instant now, Instant until);

    /** The step rows written after row {@code seq} for the servers of {@code rollout}, in the order written. */
    List<ActionStep> stepsAfter(String rollout, long seq);

    /** The number of the last step row written for any rollout, 0 when there is none. */
    long lastStep();
}
