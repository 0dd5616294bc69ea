package org.fleetup.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.fleetup.api.release.Release;

/** The releases in the store. */
@Path("/releases")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "releases", description = "The releases in the store")
public interface ReleasesApi {

    @GET
    @Operation(summary = "The releases, as fleet:release-list shows them",
            description = "Sortable by product, version, kind, size, addedAt; default addedAt:DESC.")
    Page<Release> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                       @QueryParam("sort") String sort);
}
