package org.fleetup.transport.http.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * Prints the controller's public key as the line operators put in the agents' trust file, then (as a comment) its id
 * and where the key lives.
 */
@Command(scope = "fleet", name = "agent-key",
        description = "Prints the controller's public key line for the push agents' trust file")
@Service
public class AgentKeyCommand implements Action {

    @Reference
    private ControllerKeyHolder holder;

    @Override
    public Object execute() {
        System.out.println(holder.key().publicLine());
        System.out.println("# " + holder.key().keyId() + ", " + holder.key().privateFile());
        return null;
    }
}
