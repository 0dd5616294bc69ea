package org.fleetup.api.simulator;

import java.util.Set;

/**
 * What one simulated server should be at start.
 *
 * @param version the version of the demo application installed
 * @param faults what is wrong with it
 */
public record HostSpec(String version, Set<Fault> faults) {

    public HostSpec {
        faults = faults == null ? Set.of() : Set.copyOf(faults);
    }
}
