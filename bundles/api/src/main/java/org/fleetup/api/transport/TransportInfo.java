package org.fleetup.api.transport;

import java.util.Objects;

/**
 * The transport that serves a URI scheme now.
 *
 * @param scheme the URI scheme, lower case ({@code ssh})
 * @param bundle the symbolic name of the bundle offering it
 * @param version that bundle's version ({@code 0.1.0.SNAPSHOT}), or {@code null} when not known: a replaced bundle
 *        shows its new version here as soon as it serves
 */
public record TransportInfo(String scheme, String bundle, String version) {

    public TransportInfo {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(bundle, "bundle");
    }
}
