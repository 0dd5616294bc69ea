package org.fleetup.api.comparison;

import org.fleetup.api.FleetupException;

/** How versions of one kind are written and ordered. */
public interface VersionScheme {

    /** The service property naming the scheme. */
    String NAME = "fleetup.version.scheme";

    String name();

    boolean isValid(String version);

    /**
     * @return negative, zero or positive as {@code a} is older than, the same as, or newer than {@code b}
     * @throws FleetupException {@link FleetupException#VERSION_MALFORMED} when either is not of this scheme
     */
    int compare(String a, String b);
}
