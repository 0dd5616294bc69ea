package org.fleetup.patch.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;

/** The mirrors, with their last sync, state, lag and open alarms. */
@Command(scope = "fleet", name = "mirror-list", description = "Lists the mirrors: URL, last sync, state, lag, alarms")
@Service
public class MirrorListCommand implements Action {

    @Reference
    private MirrorRegistry registry;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Mirror");
        table.column("URL");
        table.column("Last sync");
        table.column("State");
        table.column("Lag");
        table.column("Alarms");
        table.column("Detail");
        List<MirrorAlarm> alarms = registry.alarms(true);
        Instant now = Instant.now();
        registry.mirrors().forEach(mirror -> table.addRow().addContent(mirror.name(), mirror.url(),
                mirror.lastSync() == null ? "never" : mirror.lastSync().toString(), mirror.state(),
                mirror.lastSync() == null ? "" : mirror.missing() + " releases, "
                        + Duration.between(mirror.lastSync(), now).toSeconds() + " s",
                alarms.stream().filter(alarm -> alarm.mirror().equals(mirror.name()))
                        .map(alarm -> "OVERDUE " + alarm.product() + "/" + alarm.version() + " ("
                                + alarm.agentsBehind() + " agents behind since " + alarm.scheduledAt() + ")")
                        .collect(Collectors.joining("; ")),
                mirror.detail() == null ? "" : mirror.detail()));
        table.print(System.out);
        return null;
    }
}
