package org.fleetup.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;

/** Completes the names of the servers of the fleet. */
@Service
public class ServerNameCompleter implements Completer {

    @Reference
    private Inventory inventory;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter(inventory.servers(null).stream().map(Server::name).toList());
        return names.complete(session, commandLine, candidates);
    }
}
