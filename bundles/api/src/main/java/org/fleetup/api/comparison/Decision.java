package org.fleetup.api.comparison;

/** What a plan decides for one server. */
public enum Decision {
    /** It runs an older version: it gets the release. */
    UPGRADE,
    /** Nothing of the product is installed yet: it gets the release as its first one, with nothing to roll back to. */
    INSTALL,
    /** It runs the release already. */
    CURRENT,
    /** It runs something newer: left alone, never downgraded unless forced. */
    NEWER,
    /** Its version could not be read or parsed: left alone. */
    UNKNOWN,
    /** It could not be reached: left alone, counted as an error. */
    UNREACHABLE
}
