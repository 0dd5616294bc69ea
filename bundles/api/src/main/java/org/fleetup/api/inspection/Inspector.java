package org.fleetup.api.inspection;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.Session;

/**
 * Reads the version of a product a server runs, by the product's profile. Never throws for a server's fault; throws
 * {@link org.fleetup.api.FleetupException#RELEASE_INVALID} for a product that is not a product name
 * ({@link org.fleetup.api.release.ReleaseNames#requireProduct}), before any command is built.
 */
public interface Inspector {

    /** Connects, reads, disconnects. */
    Inspection inspect(Server server, String product);

    /** Reads over a session already open, as the upgrade does before and after it changes anything. */
    Inspection inspect(Session session, Server server, String product);
}
