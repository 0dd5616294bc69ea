package org.fleetup.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.fleetup.api.pull.PullAgentRecord;

/** The pull agents by MAC, as {@code fleet:agent-list} shows them. */
@Path("/agents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "agents", description = "The pull agents the patch server knows, by MAC")
public interface AgentsApi {

    @GET
    @Operation(summary = "The pull agents: address, product, version, checks, patch server, last report",
            description = "Sortable by mac, product, version, lastCheck; default mac:ASC.")
    Page<PullAgentRecord> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                               @QueryParam("sort") String sort);
}
