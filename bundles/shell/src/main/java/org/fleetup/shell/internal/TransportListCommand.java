package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.transport.TransportRegistry;

@Command(scope = "fleet", name = "transport-list", description = "Lists the transports usable now, by URI scheme")
@Service
public class TransportListCommand implements Action {

    @Reference
    private TransportRegistry transports;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Scheme");
        table.column("Bundle");
        transports.schemes().forEach((scheme, bundle) -> table.addRow().addContent(scheme, bundle));
        table.print(System.out);
        return null;
    }
}
