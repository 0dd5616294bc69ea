package org.fleetup.simulator.internal;

import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.fleetup.api.simulator.Simulator;

@Command(scope = "fleet", name = "sim-release",
        description = "Writes a release of the simulated servers' demo application, a .tar.gz with its manifest")
@Service
public class SimReleaseCommand implements Action {

    @Reference
    private Simulator simulator;

    @Option(name = "--version", required = true, description = "The version to write")
    private String version;

    @Argument(index = 0, name = "file", required = true, description = "Where to write it")
    @Completion(FileCompleter.class)
    private String file;

    @Override
    public Object execute() {
        Path written = simulator.writeRelease(version, Path.of(file));
        System.out.println("Wrote " + Simulator.PRODUCT + " " + version + " to " + written);
        return null;
    }
}
