package org.fleetup.patch.internal;

import java.net.URI;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.FleetupException;
import org.fleetup.api.pull.PullRegistry;

/** Registers a move: at their next check the agents are told the patch server's new address, and keep it. */
@Command(scope = "fleet", name = "agent-redirect", description = "Moves pull agents (all, or some by MAC) to another "
        + "patch server address")
@Service
public class AgentRedirectCommand implements Action {

    @Reference
    private PullRegistry registry;

    @Option(name = "--to", required = true, description = "The new patch server base URL, such as "
            + "http://patch2:8181")
    private String to;

    @Option(name = "--mac", multiValued = true, description = "Only the agent with this MAC (repeatable); none: all")
    private List<String> macs;

    @Override
    public Object execute() {
        URI target = URI.create(to.strip());
        if (!"http".equals(target.getScheme()) && !"https".equals(target.getScheme()) || target.getHost() == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "--to must be the patch server's http:// or "
                    + "https:// base URL, such as http://patch2:8181, not '" + to + "'.");
        }
        List<String> agents = macs == null ? List.of() : macs.stream().map(PatchService::mac).toList();
        registry.redirect(target, agents);
        System.out.println((agents.isEmpty() ? "Every pull agent" : "The pull agents " + String.join(", ", agents))
                + " will be moved to " + target + " at their next check.");
        return null;
    }
}
