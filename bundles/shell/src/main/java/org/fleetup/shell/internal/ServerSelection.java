package org.fleetup.shell.internal;

import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;

/** The servers a command works on: those named, else those of a cluster, else the whole fleet. */
final class ServerSelection {

    private ServerSelection() {
    }

    static List<Server> of(Inventory inventory, List<String> names, String cluster) {
        List<Server> servers = names == null || names.isEmpty()
                ? inventory.servers(cluster)
                : names.stream().map(inventory::requireServer).toList();
        if (servers.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, cluster == null
                    ? "The fleet has no servers. Add some with 'fleet:server-import --csv FILE'."
                    : "Cluster '" + cluster + "' has no servers.");
        }
        return servers;
    }
}
