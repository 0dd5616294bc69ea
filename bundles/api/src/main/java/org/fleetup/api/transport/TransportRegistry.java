package org.fleetup.api.transport;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/** The transports usable right now, tracked as they come and go. */
public interface TransportRegistry {

    /**
     * @throws FleetupException {@link FleetupException#TRANSPORT_MISSING} ("no transport for scheme ssh") when none
     *         serves the scheme of {@code address}
     */
    Transport transportFor(URI address);

    /** Opens a session through the transport of the server's address. */
    default Session connect(Server server) {
        return transportFor(server.address()).connect(server);
    }

    /** Scheme to the name of the bundle offering it. */
    Map<String, String> schemes();

    /**
     * The transport serving each scheme now, with its bundle's version, sorted by scheme. This default knows no
     * version; a registry that tracks the bundles tells it.
     */
    default List<TransportInfo> transports() {
        return schemes().entrySet().stream().map(e -> new TransportInfo(e.getKey(), e.getValue(), null)).toList();
    }
}
