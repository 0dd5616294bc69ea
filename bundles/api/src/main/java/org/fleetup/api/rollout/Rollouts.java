package org.fleetup.api.rollout;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.upgrade.StepListener;
import org.osgi.annotation.versioning.ProviderType;

/** Starts rollouts and tells how they go. Implemented by Fleetup only. */
@ProviderType
public interface Rollouts {

    /**
     * Checks the request (release, servers, a transport for each, the start time) and schedules the rollout; changes
     * nothing on any server when a check fails. A server is in one rollout at a time: a request naming a server that a
     * rollout which has not ended holds is refused with {@link FleetupException#ROLLOUT_CONFLICT}.
     *
     * @throws FleetupException with the code of the first problem found
     */
    Rollout start(RolloutRequest request);

    /**
     * How long a rollout of {@code plan} with {@code options} may take: its servers to upgrade or install, in the waves
     * and order the options make, each sent the release at its last measured rate. Reads the inventory only; changes
     * nothing. Best read after the plan's inspection, which measures each server's round trip.
     */
    Estimate estimate(Plan plan, RolloutOptions options);

    /**
     * Cancels a rollout that has not ended. A scheduled one never starts: it ends {@link RolloutStatus#CANCELLED} at
     * once, its servers {@code SKIPPED} as not started. A running one starts no new server and becomes
     * {@link RolloutStatus#CANCELLING}; the servers in flight finish or roll back, the others end {@code SKIPPED}, and
     * then it ends {@link RolloutStatus#CANCELLED}. Cancelling one that is cancelling already changes nothing.
     *
     * @param actor who asked, for the audit trail
     * @return the rollout as it stands after the cancel
     * @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND}, or {@link FleetupException#ROLLOUT_ENDED}
     *         when it has ended already
     */
    Rollout cancel(String id, String actor);

    /**
     * Pauses a scheduled or running rollout: no new server starts; those in flight finish or roll back.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND}, {@link FleetupException#ROLLOUT_ENDED}
     */
    Rollout pause(String id, String actor);

    /**
     * Resumes a paused rollout where it stopped: the wave that halted it counts as done, and the next wave starts.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND}, {@link FleetupException#ROLLOUT_STATE}
     *         when it is not paused
     */
    Rollout resume(String id, String actor);

    /**
     * Starts a new rollout of the same release and options on the servers of this one that failed or rolled back.
     *
     * @throws FleetupException {@link FleetupException#ROLLOUT_STATE} when it has not ended or no server failed
     */
    Rollout retry(String id, String actor);

    /** The rollout's waves, in order. */
    List<Wave> waves(String id);

    /** Every step of one server of the rollout, oldest first. */
    List<StepRecord> history(String id, String server);

    Optional<Rollout> find(String id);

    /** @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND} */
    default Rollout require(String id) {
        return find(id).orElseThrow(() -> new FleetupException(FleetupException.ROLLOUT_NOT_FOUND,
                "Unknown rollout '" + id + "'. 'fleet:rollout-status' lists the rollouts."));
    }

    /** Newest first. */
    List<Rollout> list();

    List<RolloutServer> servers(String id);

    /**
     * Completes when the rollout stops by itself: when it has ended, with its final state, or when it pauses (on a
     * wave's errors, or by an operator), with that state, as it waits for an operator then. Asked again after a resume,
     * it completes at the next stop.
     */
    CompletionStage<Rollout> completion(String id);

    /** Tells {@code listener} every step of the rollout from now on, until the returned handle is closed. */
    AutoCloseable watch(String id, StepListener listener);

    /**
     * The controllers sharing the inventory, this one among them, with the age of their heartbeats and the servers each
     * holds now; those whose heartbeat has stopped are listed until they are cleaned away.
     */
    List<Controller> controllers();
}
