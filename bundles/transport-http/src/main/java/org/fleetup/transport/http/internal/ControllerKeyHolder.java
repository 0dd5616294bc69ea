package org.fleetup.transport.http.internal;

import org.fleetup.agent.server.ControllerKey;

/** The controller's signing key, as the transport holds it: a service for {@code fleet:agent-key}. */
public interface ControllerKeyHolder {

    ControllerKey key();
}
