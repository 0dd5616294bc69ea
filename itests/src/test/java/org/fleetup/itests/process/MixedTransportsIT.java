package org.fleetup.itests.process;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.testing.RunningAgent;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The distribution, started as an operator starts it, upgrades in one rollout the three kinds of server a fleet may
 * mix: one reached over {@code ssh://} (OpenSSH), one that offers SFTP alone ({@code sftp://}, OpenSSH with
 * {@code ForceCommand internal-sftp}: no shell) and one that runs the push agent ({@code http://}, a process of its
 * own that trusts only this controller's key). Each is judged by its own files.
 */
public class MixedTransportsIT {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private OpenSshServer shell;
    private OpenSshServer filesOnly;
    private RunningAgent agent;
    private ControllerProcess controller;

    @After
    public void stopEverything() {
        if (agent != null) {
            agent.close();
        }
        if (controller != null) {
            controller.close();
        }
        for (OpenSshServer server : new OpenSshServer[] {shell, filesOnly}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    public void oneRolloutUpgradesAnSshAnSftpOnlyAndAnAgentServer() throws Exception {
        assumeTrue("openssh-server is not installed", OpenSshServer.available(new OpenSshServer.Options()));
        Path dir = temp.getRoot().toPath();
        shell = OpenSshServer.start(dir.resolve("ssh-01"), new OpenSshServer.Options().name("ssh-01"));
        filesOnly = OpenSshServer.start(dir.resolve("sftp-01"), new OpenSshServer.Options().name("sftp-01")
                .sftpOnly());
        DemoApplication.install(shell.root(), "1.4.2");
        DemoApplication.install(filesOnly.root(), "1.0.0");
        controller = ControllerProcess.unpack(dir.resolve("controller"));
        controller.start();

        // The agent's server: the application laid out alike, this controller's public key its only trust.
        Path agentRoot = dir.resolve("agent-01");
        DemoApplication.install(agentRoot, "1.9.7");
        String trustLine = controller.ok("fleet:agent-key").lines().map(String::strip)
                .filter(line -> line.startsWith("ssh-ed25519 ")).findFirst().orElseThrow();
        Path trust = Files.writeString(dir.resolve("trusted-controllers"), trustLine + "\n");
        agent = RunningAgent.start(RunningAgent.jar("../agent/target/fleetup-agent.jar"), agentRoot,
                dir.resolve("agent-01.log"), List.of("--root", agentRoot.resolve(DemoApplication.PRODUCT).toString(),
                        "--trust", trust.toString(), "--id", "agent-01", "--product", DemoApplication.PRODUCT,
                        "--health-command", "current/bin/demo-app --version"));

        Path csv = Files.writeString(dir.resolve("fleet.csv"), "name,address,user,keyfile\n"
                + login(shell, "ssh") + login(filesOnly, "sftp") + "agent-01," + agent.address() + ",,\n");
        Path knownHosts = Files.writeString(dir.resolve("known_hosts"), knownHost(shell) + knownHost(filesOnly));
        controller.ok("fleet:server-import --csv " + csv + " --known-hosts " + knownHosts);
        Path artifact = DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"));
        controller.ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

        String plan = controller.ok("fleet:plan --release demo-app/2.0.0 ssh-01 sftp-01 agent-01");
        for (String server : List.of("ssh-01", "sftp-01", "agent-01")) {
            assertTrue(plan, plan.lines().anyMatch(line -> line.startsWith(server) && line.contains("UPGRADE")));
        }
        String started = controller.ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait --canary 0"
                + " --wave 100pct ssh-01 sftp-01 agent-01");

        Map<String, Path> roots = Map.of("ssh-01", shell.root(), "sftp-01", filesOnly.root(), "agent-01", agentRoot);
        for (Map.Entry<String, Path> server : roots.entrySet()) {
            Path app = server.getValue().resolve(DemoApplication.PRODUCT);
            assertEquals(server.getKey() + " switched:\n" + started + agent.log(), "releases/2.0.0",
                    Files.readSymbolicLink(app.resolve("current")).toString());
            assertEquals(server.getKey() + " runs it", "2.0.0", Files.readString(app.resolve("current/VERSION"))
                    .strip());
        }
        assertTrue(started, started.contains("3 upgraded"));
    }

    private static String login(OpenSshServer server, String scheme) {
        return server.name() + "," + scheme + "://127.0.0.1:" + server.port() + "," + server.user() + ","
                + server.clientKey() + "\n";
    }

    private static String knownHost(OpenSshServer server) throws IOException {
        return "[127.0.0.1]:" + server.port() + " " + server.hostKey() + "\n";
    }
}
