package org.fleetup.simulator.internal;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executor;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;

/** Runs every exec request of one simulated host through {@code /bin/sh -c}, in its root, as its user. */
final class ShellCommandFactory implements CommandFactory {

    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private final Path root;
    private final Map<String, String> environment;
    private final Executor pumps;
    private final WriteFaults faults;

    /** @param ownCommands whether {@code <root>/.sim/bin} comes first on the PATH (the simulated reboot) */
    ShellCommandFactory(Path root, String user, Executor pumps, boolean ownCommands, WriteFaults faults) {
        this.root = root;
        this.pumps = pumps;
        this.faults = faults;
        // What a login shell would see; the controller's own environment stays out of the simulated host.
        String inherited = System.getenv("PATH");
        String path = inherited == null || inherited.isBlank() ? DEFAULT_PATH : inherited;
        this.environment = Map.of(
                "HOME", root.toString(),
                "USER", user,
                "LOGNAME", user,
                "SHELL", "/bin/sh",
                "PATH", ownCommands ? root.resolve(FaultFiles.BIN) + ":" + path : path,
                "LANG", "C.UTF-8");
    }

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        return new ShellCommand(command, root, environment, pumps, faults);
    }
}
