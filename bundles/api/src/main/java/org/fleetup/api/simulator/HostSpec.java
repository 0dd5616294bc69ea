package org.fleetup.api.simulator;

import java.util.Set;

/**
 * What one simulated server should be at start.
 *
 * @param version the version of the demo application installed, or {@code null} for a server with nothing
 *        installed (its root, its {@code $HOME}, is empty)
 * @param faults what is wrong with it
 */
public record HostSpec(String version, Set<Fault> faults) {

    public HostSpec {
        faults = faults == null ? Set.of() : Set.copyOf(faults);
    }
}
