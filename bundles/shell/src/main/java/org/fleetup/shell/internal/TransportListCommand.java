package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.transport.TransportUse;

@Command(scope = "fleet", name = "transport-list",
        description = "Lists the transports usable now by URI scheme, with their bundle's version and how many servers"
                + " use each; a scheme servers use that no transport serves shows 'no transport'")
@Service
public class TransportListCommand implements Action {

    static final String NO_TRANSPORT = "no transport";

    @Reference
    private TransportRegistry transports;

    @Reference
    private Inventory inventory;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Scheme");
        table.column("Bundle");
        table.column("Version");
        table.column("Servers");
        for (TransportUse use : TransportUse.of(transports.transports(), inventory.serversByScheme())) {
            table.addRow().addContent(use.scheme(), use.available() ? use.bundle() : NO_TRANSPORT,
                    use.version() == null ? "" : use.version(), use.servers());
        }
        table.print(System.out);
        return null;
    }
}
