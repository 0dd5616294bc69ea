package org.fleetup.inspection.internal;

import java.net.URI;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;

/** A registry holding one transport, for {@code ssh://} addresses. */
record SshOnlyRegistry(Transport ssh) implements TransportRegistry {

    @Override
    public Transport transportFor(URI address) {
        if (!"ssh".equals(address.getScheme())) {
            throw new FleetupException(FleetupException.TRANSPORT_MISSING,
                    "No transport for scheme " + address.getScheme() + ".");
        }
        return ssh;
    }

    @Override
    public Map<String, String> schemes() {
        return Map.of("ssh", "fleetup-transport-ssh");
    }
}
