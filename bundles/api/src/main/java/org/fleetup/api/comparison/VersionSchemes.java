package org.fleetup.api.comparison;

import java.util.Set;

import org.fleetup.api.FleetupException;

/** The version schemes Fleetup knows. */
public interface VersionSchemes {

    /** @throws FleetupException {@link FleetupException#SCHEME_UNKNOWN} */
    VersionScheme scheme(String name);

    Set<String> names();
}
