package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.Map;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** The releases in the store. */
@Path("/releases")
@Produces(MediaType.APPLICATION_JSON)
public final class ReleasesResource {

    private static final Map<String, Comparator<? super Release>> FIELDS = Map.of(
            "product", Sorting.by(Release::product),
            "version", Sorting.by(Release::version),
            "kind", Sorting.by(Release::kind),
            "size", Sorting.by(Release::size),
            "addedAt", Sorting.by(Release::addedAt));

    private final ReleaseStore store;

    ReleasesResource(ReleaseStore store) {
        this.store = store;
    }

    @GET
    public Page<Release> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                              @QueryParam("sort") String sort) {
        return Page.of(store.list(), offset, limit, sort, FIELDS, "addedAt:DESC");
    }
}
