package org.fleetup.api.transport;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

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

    /**
     * The names of the settings this transport reads from a server ({@link Server#settings()}); the CSV import takes
     * the columns of these names as settings, not attributes. By default none: an agent needs no login.
     */
    default Set<String> settings() {
        return Set.of();
    }

    /**
     * Refuses a server this transport could not reach as recorded: a setting it does not take, a missing or bad one.
     * Called before the server is imported, so that nothing is recorded that fails only at the rollout. This default
     * refuses any setting not in {@link #settings()}; a transport that reads settings checks their values too.
     *
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} naming the server, the setting and what to do
     */
    default void validate(Server server) {
        for (String setting : new TreeSet<>(server.settings().keySet())) {
            if (!settings().contains(setting)) {
                throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name() + "' ("
                        + server.address() + ") has a '" + setting + "', which its " + server.address().getScheme()
                        + " transport does not take" + (settings().isEmpty() ? "" : " (it takes "
                        + String.join(", ", new TreeSet<>(settings())) + ")") + ". Leave '" + setting
                        + "' empty for this server, or give it the address of a transport that takes it.");
            }
        }
    }
}
