package org.fleetup.api.inspection;

import java.util.Optional;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.CommandResult;
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

    /**
     * The command {@link #inspect(Session, Server, String)} runs, for a caller that sends it in the round trip of
     * another command (the upgrade's unit, confirming the release it just checked); its output, stderr apart, goes
     * to {@link #read}. Empty when this inspector cannot say: the caller inspects over the session then.
     */
    default Optional<String> command(Server server, String product) {
        return Optional.empty();
    }

    /**
     * The inspection that {@code printed}, the stdout and exit code of {@link #command}, tells; a caller that finds
     * no version in it asks again with {@link #inspect(Session, Server, String)}, which tells why.
     *
     * @throws UnsupportedOperationException when {@link #command} is empty
     */
    default Inspection read(Server server, String product, CommandResult printed) {
        throw new UnsupportedOperationException("this inspector reads over a session only");
    }
}
