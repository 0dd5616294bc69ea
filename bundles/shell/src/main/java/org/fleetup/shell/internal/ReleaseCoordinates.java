package org.fleetup.shell.internal;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** A release named {@code product/version}, as operators type it. */
final class ReleaseCoordinates {

    private ReleaseCoordinates() {
    }

    static Release resolve(ReleaseStore store, String coordinates) {
        int slash = coordinates.indexOf('/');
        if (slash <= 0 || slash == coordinates.length() - 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "'" + coordinates + "' does not name a release: write PRODUCT/VERSION, e.g. demo-app/2.0.0");
        }
        return store.require(coordinates.substring(0, slash), coordinates.substring(slash + 1));
    }
}
