package org.fleetup.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.FleetInspection;

@Command(scope = "fleet", name = "plan",
        description = "Shows what a release would do to each server: upgrade, install, current, newer, unknown,"
                + " unreachable")
@Service
public class PlanCommand implements Action {

    @Reference
    private FleetInspection fleet;

    @Reference
    private Inventory inventory;

    @Reference
    private ReleaseStore store;


    @Option(name = "--release", required = true, description = "The release, PRODUCT/VERSION")
    @Completion(ReleaseCompleter.class)
    private String release;

    @Option(name = "--cluster", description = "Only the servers of this cluster")
    private String cluster;

    @Option(name = "--parallel", description = "How many servers are inspected at once")
    private int parallel = 20;

    @Option(name = "--force", description = "Plan a downgrade of servers that run something newer")
    private boolean force;

    @Argument(index = 0, name = "servers", multiValued = true, description = "The servers; all by default")
    @Completion(ServerNameCompleter.class)
    private List<String> servers;

    @Override
    public Object execute() {
        Release target = ReleaseCoordinates.resolve(store, release);
        // The whole fleet holds the product's pull agents too.
        boolean all = (servers == null || servers.isEmpty()) && cluster == null;
        PlanTable.print(all ? fleet.plan(target, parallel, force)
                : fleet.plan(target, ServerSelection.of(inventory, servers, cluster), parallel, force), System.out);
        return null;
    }
}
