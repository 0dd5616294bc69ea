package org.fleetup.patch.internal;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.pull.PullRegistry;

/** The pull agents the patch server knows, by MAC, with the version each runs and what it last reported. */
@Command(scope = "fleet", name = "agent-list", description = "Lists the pull agents by MAC: address, product, "
        + "version, checks, patch server, last report")
@Service
public class AgentListCommand implements Action {

    @Reference
    private PullRegistry registry;

    @Option(name = "--product", description = "Only the agents of this product")
    private String product;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("MAC");
        table.column("Address");
        table.column("Product");
        table.column("Version");
        table.column("Last check");
        table.column("Next check");
        table.column("Patch server");
        table.column("Report");
        registry.agents().stream().filter(agent -> product == null || product.equals(agent.product()))
                .forEach(agent -> table.addRow().addContent(agent.mac(), agent.address(), agent.product(),
                        agent.version() == null || agent.version().isEmpty() ? "none" : agent.version(),
                        time(agent.lastCheck()), time(agent.nextCheck()), agent.server(),
                        agent.status() == null || agent.status().isEmpty() ? ""
                                : agent.status() + (agent.detail() == null || agent.detail().isEmpty() ? ""
                                : ": " + agent.detail())));
        table.print(System.out);
        return null;
    }

    private static String time(Instant at) {
        return at == null ? "" : at.toString();
    }
}
