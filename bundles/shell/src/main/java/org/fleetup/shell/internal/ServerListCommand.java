package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.ServerTrust;

@Command(scope = "fleet", name = "server-list", description = "Lists the servers of the fleet")
@Service
public class ServerListCommand implements Action {

    @Reference
    private Inventory inventory;

    @Reference
    private ServerTrust trust;

    @Option(name = "--cluster", description = "Only the servers of this cluster")
    private String cluster;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("Cluster");
        table.column("Address");
        table.column("Host key");
        table.column("Version");
        table.column("Inspected");
        inventory.servers(cluster).forEach(server -> {
            Inspection last = inventory.lastInspection(server.name()).orElse(null);
            table.addRow().addContent(server.name(), server.cluster(), server.address(),
                    trust.trusted(server).map(Formats::fingerprint).orElse("UNKNOWN"),
                    last == null ? "" : Formats.version(last),
                    last == null ? "never" : Formats.time(last.at()));
        });
        table.print(System.out);
        return null;
    }
}
