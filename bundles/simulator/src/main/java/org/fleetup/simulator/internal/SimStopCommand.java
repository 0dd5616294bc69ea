package org.fleetup.simulator.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.simulator.Simulator;

@Command(scope = "fleet", name = "sim-stop", description = "Stops the simulated servers (they stay in the inventory)")
@Service
public class SimStopCommand implements Action {

    @Reference
    private Simulator simulator;

    @Override
    public Object execute() {
        int count = simulator.hosts().size();
        simulator.stop();
        System.out.println("Stopped " + count + " simulated servers.");
        return null;
    }
}
