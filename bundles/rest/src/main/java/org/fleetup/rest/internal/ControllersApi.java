package org.fleetup.rest.internal;

import java.time.Instant;
import java.util.List;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The controllers sharing the inventory, as {@code fleet:controller-list} shows them. */
@Path("/controllers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "controllers", description = "The controllers sharing the inventory")
public interface ControllersApi {

    /**
     * A controller's incarnation, where it is reached, when it started, its last heartbeat and how old that is, whether
     * that heartbeat still holds, how many servers it holds a lease on now, and what it is elected to.
     */
    record ControllerView(String id, String address, Instant started, Instant heartbeat, long heartbeatAgeMillis,
                          boolean alive, int actionsHeld, List<String> roles) {
    }

    @GET
    @Operation(summary = "The controllers sharing the inventory, with their heartbeats and the servers each holds",
            description = "Sortable by id, address, heartbeat, actionsHeld; default id:ASC.")
    Page<ControllerView> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                              @QueryParam("sort") String sort);
}
