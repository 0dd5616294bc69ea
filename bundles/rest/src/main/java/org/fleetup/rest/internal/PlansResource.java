package org.fleetup.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.Rollouts;

/** {@code POST /plans}: what a release would do to each server, as {@code fleet:plan} shows it; changes nothing. */
@Path("/plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class PlansResource {

    /**
     * What to plan.
     *
     * @param servers the servers by name; those of {@code cluster}, or the whole fleet, when empty
     * @param parallel how many servers are inspected at once (default 20)
     * @param force plan a downgrade of servers that run something newer
     */
    public record PlanRequest(String product, String version, List<String> servers, String cluster, Integer parallel,
                              Boolean force) {
    }

    /** The plan, its counts by decision, and how long a rollout of it with the default options may take. */
    public record PlanView(Release release, List<PlanEntry> entries, Map<Decision, Long> counts, Estimate estimate,
                           Instant createdAt) {
    }

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

    @POST
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
        Plan plan = fleet.plan(Selection.release(store, request.product(), request.version()),
                Selection.servers(inventory, request.servers(), request.cluster()), parallel, force);
        Estimate estimate = rollouts.estimate(plan,
                RolloutOptions.defaults(RolloutOptions.DEFAULT_PARALLELISM, force));
        return new PlanView(plan.release(), plan.entries(), plan.counts(), estimate, plan.createdAt());
    }
}
