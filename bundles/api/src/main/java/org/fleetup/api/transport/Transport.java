package org.fleetup.api.transport;

import java.util.EnumSet;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/**
 * Reaches servers whose address has one of this transport's URI schemes. Registered as an OSGi service with the
 * property {@value #SCHEME} (one value or several); it knows nothing of what is done over it.
 */
public interface Transport {

    /** The service property naming the URI schemes a transport serves ({@code ssh}). */
    String SCHEME = "fleetup.transport.scheme";

    /**
     * Opens a session to the server, verifying what it presents against what is trusted of it
     * ({@link org.fleetup.api.inventory.ServerTrust}).
     *
     * @throws FleetupException {@link FleetupException#HOST_KEY_UNKNOWN} or {@link FleetupException#HOST_KEY_CHANGED}
     *         (the message carries the fingerprint), {@link FleetupException#SERVER_UNREACHABLE},
     *         {@link FleetupException#AUTHENTICATION_FAILED}
     */
    Session connect(Server server);

    /**
     * What this transport can do on its servers; the plan refuses a server whose install needs more. A transport
     * without {@link Capability#COMMANDS} cannot run the command-driven procedure, and brings its own
     * ({@link InstallingTransport}). By default commands and files: what every transport did before capabilities.
     */
    default Set<Capability> capabilities() {
        return EnumSet.of(Capability.COMMANDS, Capability.FILES);
    }
}
