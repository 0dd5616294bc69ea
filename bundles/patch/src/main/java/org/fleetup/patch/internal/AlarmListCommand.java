package org.fleetup.patch.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.mirror.MirrorRegistry;

/** The overdue alarms of the mirrors: open ones, or every one with {@code --all}. */
@Command(scope = "fleet", name = "alarm-list", description = "Lists the open alarms: releases overdue on a mirror")
@Service
public class AlarmListCommand implements Action {

    @Reference
    private MirrorRegistry registry;

    @Option(name = "--all", description = "The cleared alarms too")
    private boolean all;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Mirror");
        table.column("Release");
        table.column("Scheduled at");
        table.column("Agents behind");
        table.column("Raised");
        table.column("Cleared");
        registry.alarms(!all).forEach(alarm -> table.addRow().addContent(alarm.mirror(),
                alarm.product() + "/" + alarm.version(), alarm.scheduledAt(), alarm.agentsBehind(), alarm.raisedAt(),
                alarm.open() ? "open" : alarm.clearedAt().toString()));
        table.print(System.out);
        return null;
    }
}
