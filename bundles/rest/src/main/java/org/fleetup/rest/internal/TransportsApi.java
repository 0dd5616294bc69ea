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

    /**
     * A URI scheme, the bundle that serves it and its version ({@code null} both when none does), how many servers
     * use it, and whether they are usable now.
     */
    record TransportView(String scheme, String bundle, String version, int servers, boolean available) {
    }

    @GET
    @Operation(summary = "The transports usable now, by URI scheme, with their version and how many servers use "
            + "each; a scheme servers use that no transport serves is listed too, not available",
            description = "Sortable by scheme, bundle, version, servers; default scheme:ASC.")
    Page<TransportView> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                             @QueryParam("sort") String sort);
}
