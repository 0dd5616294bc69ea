package org.fleetup.rest.internal;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.Rollouts;

/** {@link PlansApi} over the fleet's inspection and the rollouts' estimate. */
public final class PlansResource implements PlansApi {

    static final int DEFAULT_INSPECTION_PARALLELISM = 20;

    private final FleetInspection fleet;
    private final Inventory inventory;
    private final ReleaseStore store;
    private final Rollouts rollouts;

    PlansResource(FleetInspection fleet, Inventory inventory, ReleaseStore store, Rollouts rollouts) {
        this.fleet = fleet;
        this.inventory = inventory;
        this.store = store;
        this.rollouts = rollouts;
    }

    @Override
    public PlanView plan(PlanRequest request) {
        if (request == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The body must be a JSON object naming the"
                    + " release: {\"product\": \"demo-app\", \"version\": \"2.0.0\"}.");
        }
        int parallel = request.parallel() == null ? DEFAULT_INSPECTION_PARALLELISM : request.parallel();
        if (parallel < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "'parallel' must be at least 1.");
        }
        boolean force = Boolean.TRUE.equals(request.force());
        Release release = Selection.release(store, request.product(), request.version());
        // The whole fleet holds the product's pull agents too.
        boolean all = (request.servers() == null || request.servers().isEmpty()) && request.cluster() == null;
        Plan plan = all ? fleet.plan(release, parallel, force)
                : fleet.plan(release, inventory.select(request.servers(), request.cluster()), parallel, force);
        Estimate estimate = rollouts.estimate(plan,
                RolloutOptions.defaults(RolloutOptions.DEFAULT_PARALLELISM, force));
        return new PlanView(plan.release(), plan.entries(), plan.counts(), estimate, plan.createdAt());
    }
}
