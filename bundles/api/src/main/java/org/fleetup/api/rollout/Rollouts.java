package org.fleetup.api.rollout;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import org.fleetup.api.FleetupException;
import org.fleetup.api.upgrade.StepListener;

/** Starts rollouts and tells how they go. */
public interface Rollouts {

    /**
     * Checks the request (release, servers, a transport for each) and schedules the rollout; changes nothing on any
     * server when a check fails.
     *
     * @throws FleetupException with the code of the first problem found
     */
    Rollout start(RolloutRequest request);

    Optional<Rollout> find(String id);

    /** @throws FleetupException {@link FleetupException#ROLLOUT_NOT_FOUND} */
    default Rollout require(String id) {
        return find(id).orElseThrow(() -> new FleetupException(FleetupException.ROLLOUT_NOT_FOUND,
                "Unknown rollout '" + id + "'. 'fleet:rollout-status' lists the rollouts."));
    }

    /** Newest first. */
    List<Rollout> list();

    List<RolloutServer> servers(String id);

    /** Completes when the rollout has ended, with its final state. */
    CompletionStage<Rollout> completion(String id);

    /** Tells {@code listener} every step of the rollout from now on, until the returned handle is closed. */
    AutoCloseable watch(String id, StepListener listener);
}
