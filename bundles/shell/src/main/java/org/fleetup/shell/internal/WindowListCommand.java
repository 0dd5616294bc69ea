package org.fleetup.shell.internal;

import java.time.Instant;
import java.time.ZoneId;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ClusterWindow;
import org.fleetup.api.rollout.ClusterWindows;
import org.fleetup.api.rollout.Scheduler;

@Command(scope = "fleet", name = "window-list", description = "Lists the maintenance windows of the clusters"
        + " (etc/org.fleetup.windows.cfg): whether each is open now, and when it opens next")
@Service
public class WindowListCommand implements Action {

    @Reference
    private ClusterWindows windows;

    @Reference
    private Scheduler scheduler;

    @Override
    public Object execute() {
        ZoneId zone = scheduler.zone();
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        table.column("Cluster");
        table.column("Window");
        table.column("Now");
        table.column("Opens (" + zone + ")");
        for (ClusterWindow window : windows.windows(now)) {
            if (window.problem() != null) {
                throw new FleetupException(FleetupException.TIME_INVALID, window.problem()
                        + " Until it is fixed no server is started.");
            }
            table.addRow().addContent(window.cluster() == null ? "(every other)" : window.cluster(), window.window(),
                    window.open() ? "open" : "closed", window.open() ? "" : Formats.time(window.opensAt(), zone));
        }
        table.print(System.out);
        return null;
    }
}
