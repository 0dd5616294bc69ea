package org.fleetup.shell.internal;

import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;

@Command(scope = "fleet", name = "rollout-status", description = "Shows where every server of a rollout stands (its"
        + " wave, step and versions) and, with --history, every step it went through; lists the rollouts when no ID"
        + " is given")
@Service
public class RolloutStatusCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Reference
    private Scheduler scheduler;

    @Option(name = "--history", description = "Also every step of the servers named after the ID (all servers when"
            + " none is named), with its time")
    private boolean history;

    @Argument(index = 0, name = "id", description = "The rollout; all rollouts when omitted (as fleet:rollout-list)")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Argument(index = 1, name = "servers", multiValued = true, description = "Only these servers of the rollout")
    @Completion(ServerNameCompleter.class)
    private List<String> servers;

    @Override
    public Object execute() {
        if (id == null) {
            RolloutListCommand.print(rollouts, scheduler.zone(), System.out);
        } else {
            show(rollouts.require(id));
        }
        return null;
    }

    private void show(Rollout rollout) {
        List<RolloutServer> all = rollouts.servers(rollout.id());
        List<RolloutServer> shown = servers == null || servers.isEmpty() ? all : selected(all);
        RolloutOptions options = rollout.options();
        System.out.println("Rollout " + rollout.id() + " of " + rollout.product() + "/" + rollout.version() + ": "
                + rollout.status() + ", " + rollout.parallelism() + " at a time, starts "
                + Formats.timeAndZone(rollout.startAt(), scheduler.zone()) + (rollout.force() ? ", forced" : "")
                + (rollout.detail() == null ? "" : ": " + rollout.detail()));
        System.out.println("Waves: " + WaveProgress.of(all) + " (canary " + options.canary() + ", waves of "
                + options.wave() + ", max errors " + options.maxErrors() + ", on error "
                + options.onError().name().toLowerCase(Locale.ROOT) + ", order " + options.order().name().toLowerCase(Locale.ROOT) + ")"
                + (rollout.createdBy() == null ? "" : "; started by " + rollout.createdBy()));
        RolloutReport.print(shown, false, System.out);
        Map<String, Long> byStep = shown.stream().collect(Collectors.groupingBy(s -> s.state().name(),
                TreeMap::new, Collectors.counting()));
        System.out.println(byStep.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", ")));
        List<RolloutServer> failed = all.stream().filter(server -> ReportStatus.of(server).isFailure()).toList();
        if ((rollout.status().isFinal() || rollout.status() == RolloutStatus.PAUSED) && !failed.isEmpty()) {
            // The completion notice: who did not get what, and why; pull agents (pull:<MAC>) as any server.
            System.out.println("Did not get " + rollout.product() + "/" + rollout.version() + ": " + failed.stream()
                    .map(server -> server.server() + " (" + ReportStatus.of(server).label() + ": " + server.detail()
                            + ")").collect(Collectors.joining(", ")));
        }
        if (history) {
            printHistory(rollout, shown);
        }
    }

    private List<RolloutServer> selected(List<RolloutServer> all) {
        List<String> unknown = servers.stream()
                .filter(name -> all.stream().noneMatch(s -> s.server().equals(name))).toList();
        if (!unknown.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Not in rollout " + id + ": "
                    + String.join(", ", unknown) + ". 'fleet:rollout-status " + id + "' lists its servers.");
        }
        return all.stream().filter(s -> servers.contains(s.server())).toList();
    }

    private void printHistory(Rollout rollout, List<RolloutServer> shown) {
        ZoneId zone = scheduler.zone();
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("At (" + zone + ")");
        table.column("Step");
        table.column("Detail").maxSize(110).wrap();
        for (RolloutServer server : shown) {
            rollouts.history(rollout.id(), server.server()).forEach(step -> table.addRow().addContent(step.server(),
                    Formats.time(step.at(), zone), step.step(), step.detail() == null ? "" : step.detail()));
        }
        System.out.println("History:");
        table.print(System.out);
    }
}
