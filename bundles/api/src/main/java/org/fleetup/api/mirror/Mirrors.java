package org.fleetup.api.mirror;

import java.net.URI;

import org.fleetup.api.FleetupException;

/** The primary's side of its mirrors: adding one (authenticated), syncing them. */
public interface Mirrors {

    /**
     * Adds a mirror once it proved it holds the key {@code publicKey} and accepts this primary's signed requests.
     *
     * @param publicKey the mirror's controller key, one OpenSSH line ({@code fleet:agent-key} on the mirror prints it)
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} for a bad name, URL or key, or a name taken;
     *         {@link FleetupException#AUTHENTICATION_FAILED} when the mirror answers with another key or refuses this
     *         primary; {@link FleetupException#SERVER_UNREACHABLE} when it cannot be reached
     */
    Mirror add(String name, URI url, String publicKey);

    /** Syncs the mirror at once (off its schedule), on the calling thread; its state tells how it went. */
    Mirror syncNow(String name);
}
