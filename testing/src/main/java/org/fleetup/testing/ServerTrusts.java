package org.fleetup.testing;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;

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
}
