package org.fleetup.rest.internal;

import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** What a request names: a release by product and version, and servers by name, by cluster, or the whole fleet. */
final class Selection {

    private Selection() {
    }

    static Release release(ReleaseStore store, String product, String version) {
        if (product == null || product.isBlank() || version == null || version.isBlank()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Name the release with 'product' and"
                    + " 'version', e.g. {\"product\": \"demo-app\", \"version\": \"2.0.0\"}; GET /releases lists them.");
        }
        return store.require(product, version);
    }

    static List<Server> servers(Inventory inventory, List<String> names, String cluster) {
        List<Server> servers = names == null || names.isEmpty()
                ? inventory.servers(cluster)
                : names.stream().map(inventory::requireServer).toList();
        if (servers.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, cluster == null
                    ? "The fleet has no servers. Add some with POST /servers (a CSV)."
                    : "Cluster '" + cluster + "' has no servers.");
        }
        return servers;
    }
}
