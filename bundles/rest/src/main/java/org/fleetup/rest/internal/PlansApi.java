package org.fleetup.rest.internal;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.core.MediaType;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.Estimate;

/** {@code POST /plans}: what a release would do to each server, as {@code fleet:plan} shows it; changes nothing. */
@Path("/plans")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "plans", description = "What a release would do to each server")
public interface PlansApi {

    /**
     * What to plan.
     *
     * @param servers the servers by name; those of {@code cluster}, or the whole fleet, when empty
     * @param parallel how many servers are inspected at once (default 20)
     * @param force plan a downgrade of servers that run something newer
     */
    record PlanRequest(String product, String version, List<String> servers, String cluster, Integer parallel,
                       Boolean force) {
    }

    /** The plan, its counts by decision, and how long a rollout of it with the default options may take. */
    record PlanView(Release release, List<PlanEntry> entries, Map<Decision, Long> counts, Estimate estimate,
                    Instant createdAt) {
    }

    @POST
    @Operation(summary = "Inspects the servers and decides for each: upgrade, install, current, newer, unknown,"
            + " unreachable, as fleet:plan", description = "Changes nothing on any server.")
    PlanView plan(PlanRequest request);
}
