package org.fleetup.ssh.internal;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;

/**
 * What a connection was opened and checked for: a kept connection serves a later session only when all of it is the
 * same, so that a record whose address, user, key file or trusted host key changed is connected to and checked anew.
 */
record ConnectionKey(String server, SshAddress address, String keyFile, String hostKey) {

    static ConnectionKey of(Server server, SshAddress address, String hostKey) {
        return new ConnectionKey(server.name(), address, LoginSettings.keyFile(server),
                hostKey == null ? null : hostKey.strip());
    }
}
