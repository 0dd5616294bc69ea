package org.fleetup.testing;

import java.net.URI;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;

/** What a test trusts of the servers it makes records of, set beside the record it hands a transport. */
public final class ServerTrusts {

    private ServerTrusts() {
    }

    /** The record, with {@code hostKey} trusted for it in {@code trust} from now on ({@code null}: nothing). */
    public static Server trusted(ServerTrust trust, Server server, String hostKey) {
        if (hostKey == null) {
            trust.forget(server.name());
        } else {
            trust.trust(server, hostKey);
        }
        return server;
    }

    /** The {@code ssh://} record of an OpenSSH server a test started, its host key trusted in {@code trust}. */
    public static Server trusted(ServerTrust trust, OpenSshServer sshd) {
        return trusted(trust, new Server(sshd.name(), null, URI.create("ssh://" + sshd.host() + ":" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), null), sshd.hostKey());
    }
}
