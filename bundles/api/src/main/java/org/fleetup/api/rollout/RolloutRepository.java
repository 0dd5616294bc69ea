package org.fleetup.api.rollout;

import java.util.List;
import java.util.Optional;

/** Where rollouts and the per-server state of each are persisted. */
public interface RolloutRepository {

    /** Inserts or updates a rollout. */
    void saveRollout(Rollout rollout);

    Optional<Rollout> rollout(String id);

    /** Newest first. */
    List<Rollout> rollouts();

    /**
     * The rollouts that have not ended (whose {@link RolloutStatus} is not final), oldest first. A row whose status
     * this Fleetup does not know is not among them.
     */
    List<Rollout> unfinished();

    /** Inserts or updates the state of one server of a rollout. */
    void saveServer(RolloutServer server);

    /** Ordered as the rollout's servers are. */
    List<RolloutServer> servers(String rollout);
}
