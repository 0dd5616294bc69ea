package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.release.ReleaseStore;

@Command(scope = "fleet", name = "release-list", description = "Lists the releases in the store")
@Service
public class ReleaseListCommand implements Action {

    @Reference
    private ReleaseStore store;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Product");
        table.column("Version");
        table.column("Kind");
        table.column("Size");
        table.column("SHA-256");
        table.column("Added");
        store.list().forEach(release -> table.addRow().addContent(release.product(), release.version(),
                release.kind(), Formats.bytes(release.size()), release.sha256().substring(0, 16) + "…",
                Formats.time(release.addedAt())));
        table.print(System.out);
        return null;
    }
}
