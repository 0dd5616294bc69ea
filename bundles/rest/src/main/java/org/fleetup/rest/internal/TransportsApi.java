package org.fleetup.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The transports usable now, as {@code fleet:transport-list} shows them. */
@Path("/transports")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "transports", description = "The transports usable now")
public interface TransportsApi {

    /** A URI scheme and the bundle that serves it. */
    record TransportView(String scheme, String bundle) {
    }

    @GET
    @Operation(summary = "The transports usable now, by URI scheme",
            description = "Sortable by scheme, bundle; default scheme:ASC.")
    Page<TransportView> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                             @QueryParam("sort") String sort);
}
