package org.fleetup.shell.internal;

import java.time.Duration;
import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.rollout.Controller;
import org.fleetup.api.rollout.Rollouts;

@Command(scope = "fleet", name = "controller-list",
        description = "Lists the controllers sharing this inventory: each one's id, address, when it started, the age"
                + " of its last heartbeat, whether it is alive, how many servers it holds now, and what it is elected to (rollout-decisions: it decides"
                + " for every rollout)")
@Service
public class ControllerListCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Override
    public Object execute() {
        Instant now = Instant.now();
        ShellTable table = new ShellTable();
        table.column("Controller");
        table.column("Address");
        table.column("Started");
        table.column("Heartbeat");
        table.column("State");
        table.column("Actions held");
        table.column("Roles");
        for (Controller controller : rollouts.controllers()) {
            table.addRow().addContent(controller.id(), controller.address(), Formats.time(controller.started()),
                    Formats.duration(Duration.between(controller.heartbeat(), now)) + " ago",
                    controller.aliveAt(now) ? "alive" : "silent", controller.actionsHeld(),
                    String.join(",", controller.roles()));
        }
        table.print(System.out);
        return null;
    }
}
