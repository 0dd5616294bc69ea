package org.fleetup.itests.process;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The controller is a real process, killed with SIGKILL and started again in the same directory; the servers are real
 * OpenSSH servers, so they outlive it, and what happened is read from their own files.
 */
public class ControllerRestartIT {

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final List<OpenSshServer> servers = new ArrayList<>();
    private ControllerProcess controller;

    @Before
    public void fleetAndController() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options();
        assumeTrue("openssh-server is not installed", OpenSshServer.available(options));
        Path dir = temp.getRoot().toPath();
        StringBuilder csv = new StringBuilder("name,host,port,user,keyfile\n");
        StringBuilder knownHosts = new StringBuilder();
        for (int i = 1; i <= 2; i++) {
            OpenSshServer server = OpenSshServer.start(dir.resolve("srv-0" + i),
                    new OpenSshServer.Options().name("srv-0" + i));
            servers.add(server);
            DemoApplication.install(server.root(), "1.4.2");
            csv.append(server.name()).append(",127.0.0.1,").append(server.port()).append(',').append(server.user())
                    .append(',').append(server.clientKey()).append('\n');
            knownHosts.append("[127.0.0.1]:").append(server.port()).append(' ').append(server.hostKey()).append('\n');
        }
        Files.writeString(dir.resolve("fleet.csv"), csv);
        Files.writeString(dir.resolve("known_hosts"), knownHosts);
        controller = ControllerProcess.unpack(dir.resolve("controller")).start();
        controller.ok("fleet:server-import --csv " + dir.resolve("fleet.csv") + " --known-hosts "
                + dir.resolve("known_hosts"));
        Path artifact = DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"));
        controller.ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
    }

    @After
    public void stopEverything() throws Exception {
        if (controller != null) {
            controller.close();
        }
        servers.forEach(OpenSshServer::close);
    }

    @Test
    public void aScheduledRolloutSurvivesAKillOfTheControllerAndRunsAtItsTime() throws Exception {
        Instant at = Instant.now().plusSeconds(40);
        String started = controller.ok("fleet:rollout-start --release demo-app/2.0.0 --yes --at " + at
                + " srv-01 srv-02");
        Matcher id = Pattern.compile("Rollout (\\S+) of demo-app/2.0.0").matcher(started);
        assertTrue(started, id.find());

        controller.kill();
        controller.start();

        // Known after the restart (a commit lost to the kill would make it unknown), and waiting for its time.
        String status = controller.ok("fleet:rollout-status " + id.group(1));
        assertTrue(status, status.contains("Rollout " + id.group(1)));
        for (OpenSshServer server : servers) {
            String current = current(server);
            if (Instant.now().isBefore(at)) {
                assertEquals(server.name() + " untouched before the time", "releases/1.4.2", current);
            }
        }
        await("the rollout, after its time").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500))
                .until(() -> servers.stream().allMatch(server -> "releases/2.0.0".equals(current(server))));
        for (OpenSshServer server : servers) {
            Path release = server.root().resolve("demo-app/releases/2.0.0");
            Instant made = Files.getLastModifiedTime(release).toInstant();
            assertFalse(server.name() + " was worked on at " + made + ", before " + at, made.isBefore(at));
            assertEquals("2.0.0", Files.readString(server.root().resolve("demo-app/current/VERSION")).strip());
        }
    }

    private static String current(OpenSshServer server) {
        try {
            return Files.readSymbolicLink(server.root().resolve("demo-app/current")).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
