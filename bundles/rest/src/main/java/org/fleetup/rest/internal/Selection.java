package org.fleetup.rest.internal;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** What a request names: a release by product and version. */
final class Selection {

    private Selection() {
    }

    static Release release(ReleaseStore store, String product, String version) {
        if (product == null || product.isBlank() || version == null || version.isBlank()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Name the release with 'product' and 'version',"
                    + " e.g. {\"product\": \"demo-app\", \"version\": \"2.0.0\"}; GET /releases lists them.");
        }
        return store.require(product, version);
    }
}
