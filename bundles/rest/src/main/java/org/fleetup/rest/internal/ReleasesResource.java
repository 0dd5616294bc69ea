package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.Map;

import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** {@link ReleasesApi} over the store. */
public final class ReleasesResource implements ReleasesApi {

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

    @Override
    public Page<Release> list(String offset, String limit, String sort) {
        return Page.of(store.list(), offset, limit, sort, FIELDS, "addedAt:DESC");
    }
}
