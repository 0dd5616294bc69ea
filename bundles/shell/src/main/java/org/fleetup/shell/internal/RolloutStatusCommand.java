package org.fleetup.shell.internal;

import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;

@Command(scope = "fleet", name = "rollout-status",
        description = "Lists the rollouts, or shows where every server of one stands")
@Service
public class RolloutStatusCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Reference
    private Scheduler scheduler;

    @Argument(index = 0, name = "id", description = "The rollout; all rollouts when omitted")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        if (id == null) {
            list();
        } else {
            show(rollouts.require(id));
        }
        return null;
    }

    private void list() {
        ShellTable table = new ShellTable();
        table.column("Rollout");
        table.column("Release");
        table.column("Status");
        table.column("Servers");
        ZoneId zone = scheduler.zone();
        table.column("Starts (" + zone + ")");
        table.column("Finished");
        table.column("Outcome").maxSize(80).wrap();
        rollouts.list().forEach(r -> table.addRow().addContent(r.id(), r.product() + "/" + r.version(), r.status(),
                r.servers().size(), Formats.time(r.startAt(), zone), Formats.time(r.finishedAt(), zone),
                r.detail() == null ? "" : r.detail()));
        table.print(System.out);
    }

    private void show(Rollout rollout) {
        List<RolloutServer> servers = rollouts.servers(rollout.id());
        System.out.println("Rollout " + rollout.id() + " of " + rollout.product() + "/" + rollout.version() + ": "
                + rollout.status() + ", " + rollout.parallelism() + " at a time, starts "
                + Formats.timeAndZone(rollout.startAt(), scheduler.zone()) + (rollout.force() ? ", forced" : "")
                + (rollout.detail() == null ? "" : ": " + rollout.detail()));
        RolloutReport.print(servers, false, System.out);
        Map<String, Long> byStep = servers.stream().collect(Collectors.groupingBy(s -> s.state().name(),
                TreeMap::new, Collectors.counting()));
        System.out.println(byStep.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", ")));
    }
}
