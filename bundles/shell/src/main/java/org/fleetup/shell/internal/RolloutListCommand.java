package org.fleetup.shell.internal;

import java.io.PrintStream;
import java.time.ZoneId;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;

@Command(scope = "fleet", name = "rollout-list", description = "Lists the rollouts, newest first: release, status,"
        + " wave under way of how many, who started it, its times")
@Service
public class RolloutListCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Reference
    private Scheduler scheduler;

    @Override
    public Object execute() {
        print(rollouts, scheduler.zone(), System.out);
        return null;
    }

    static void print(Rollouts rollouts, ZoneId zone, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Rollout");
        table.column("Release");
        table.column("Status");
        table.column("Servers");
        table.column("Wave");
        table.column("By");
        table.column("Created (" + zone + ")");
        table.column("Starts");
        table.column("Finished");
        table.column("Outcome").maxSize(80).wrap();
        rollouts.list().forEach(r -> table.addRow().addContent(r.id(), r.product() + "/" + r.version(), r.status(),
                r.servers().size(), WaveProgress.of(rollouts.servers(r.id())),
                r.createdBy() == null ? "" : r.createdBy(), Formats.time(r.createdAt(), zone),
                Formats.time(r.startAt(), zone), Formats.time(r.finishedAt(), zone),
                r.detail() == null ? "" : r.detail()));
        table.print(out);
    }
}
