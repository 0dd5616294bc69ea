package org.fleetup.api.pull;

import java.time.Instant;
import java.util.List;

import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.upgrade.StepState;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Pull deployments as rollouts of the stored rollout engine, so that pull agents show in plans, rollouts, reports and
 * completion notices like any other server (named {@link PullAgents#server}). The engine opens the waves and stops on a
 * wave's max errors as for every rollout; it never sends a worker to a pull agent: the patch server offers the release
 * to the agents of the open wave when they check, and their feedback moves their steps. An agent of an open wave that
 * is silent (no check, no report) for the engine's pull deadline fails.
 */
@ProviderType
public interface PullRollouts {

    /**
     * What the patch server tells an agent at its check.
     *
     * @param offer whether to offer it the release now
     * @param comeBackAt when it should check again for its turn, or {@code null} for its own interval
     * @param why in words, for the log
     */
    record Turn(boolean offer, Instant comeBackAt, String why) {
    }

    /**
     * Publishes {@code release} at its time: the rollout of the product's earlier schedule, when it has not ended, is
     * cancelled; a new rollout starts at {@code release.at()} over the product's registered agents that need it (older
     * or nothing installed, not failed on it, not held by another rollout) and are expected (their next check is
     * ahead: one late may be gone, and joins when it comes back), those expected first in the first waves; the
     * schedule is recorded with that rollout.
     *
     * @param actor who asked, for the audit trail
     * @return the schedule as recorded, with its rollout
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#RELEASE_NOT_FOUND}
     */
    ScheduledRelease publish(ScheduledRelease release, String actor);

    /**
     * Whether the agent {@code mac}, which needs {@code release} (the caller compared its version), may be offered it at
     * this check. An agent not in the schedule's rollout joins it (its last wave while that has not ended or has room,
     * else a new wave); one that checks after that rollout finished gets a rollout of its own, which becomes the
     * schedule's. A rollout cancelled or aborted offers nothing any more.
     */
    Turn turn(ScheduledRelease release, String mac);

    /**
     * Records a step of the agent {@code mac} in the schedule's rollout (or, when {@code release} has none or the agent
     * is not in it, in the rollout of that product and version that has not ended and holds the agent), told to the
     * rollout's watchers: an offer, or the agent's feedback. Nothing happens when the agent is in none or its step has
     * ended.
     */
    void step(ScheduledRelease release, String mac, StepState step, String detail);

    /**
     * What {@code release} would do to each registered agent of its product, decided as for servers from the version
     * the agent last reported, each marked as a pull agent with its next check.
     */
    List<PlanEntry> plan(Release release, boolean allowDowngrade);
}
