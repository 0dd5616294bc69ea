package org.fleetup.itests.process;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The controller killed with SIGKILL when a chosen server reaches a chosen step, then started again: every server
 * ends correct by its own files, no server that had ended is installed again, and the rollout ends by itself. The
 * servers are real OpenSSH servers, which outlive the controller as real servers do.
 *
 * <p>Each server runs a health command of the test's own ({@code health.sh} in its home) that the test steers with
 * marker files: {@code gate} holds it (the test sees {@code in-health} appear), {@code fail} makes the new release
 * fail it, {@code hold-rollback} holds the check of the old release after a switch back.
 */
public class CrashResumeIT {

    private static final String HEALTH = String.join("\n",
            "#!/bin/sh",
            "# run in the application root, $HOME/demo-app",
            "home=..",
            "target=$(readlink current)",
            "touch $home/in-health",
            "while [ -e $home/gate ]; do sleep 0.1; done",
            "if [ \"$target\" = releases/2.0.0 ] && [ -e $home/fail ]; then echo broken; exit 1; fi",
            "while [ \"$target\" != releases/2.0.0 ] && [ -e $home/hold-rollback ]; do touch $home/in-rollback;"
                    + " sleep 0.1; done",
            "exec current/bin/demo-app --version",
            "");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final List<OpenSshServer> servers = new ArrayList<>();
    private ControllerProcess controller;
    private Path dir;

    @After
    public void stopEverything() {
        if (controller != null) {
            controller.close();
        }
        servers.forEach(OpenSshServer::close);
    }

    @Test
    public void killedRightAfterTheSwitchTheServerIsCheckedAndConfirmedNotSkipped() throws Exception {
        start(3, 0);
        Files.createFile(home(2).resolve("gate"));
        String id = rollout();
        awaitFile(home(2).resolve("in-health"));
        assertEquals("the switch happened before the kill", "releases/2.0.0", current(2));

        controller.kill();
        Map<Integer, Object> before = installs();
        controller.start();
        Files.delete(home(2).resolve("gate"));

        awaitEnded(id);
        for (int i = 0; i < servers.size(); i++) {
            assertEquals(servers.get(i).name() + " on the new release, verified", "releases/2.0.0", current(i));
        }
        assertUntouchedSince(before, 0, 1);
        String status = controller.ok("fleet:rollout-status " + id);
        assertTrue(status, status.contains("FINISHED"));
        assertFalse("a resumed server is never skipped:\n" + status, status.contains("skipped"));
    }

    @Test
    public void killedDuringAFailingHealthCheckTheServerIsRolledBack() throws Exception {
        start(3, 0);
        Files.createFile(home(2).resolve("gate"));
        Files.createFile(home(2).resolve("fail"));
        String id = rollout();
        awaitFile(home(2).resolve("in-health"));

        controller.kill();
        Map<Integer, Object> before = installs();
        controller.start();
        Files.delete(home(2).resolve("gate"));

        awaitEnded(id);
        assertEquals("rolled back to its old release", "releases/1.4.2", current(2));
        assertFalse(Files.exists(servers.get(2).root().resolve("demo-app/releases/2.0.0")));
        assertUntouchedSince(before, 0, 1);
        String status = controller.ok("fleet:rollout-status " + id);
        assertTrue(status, status.contains("ROLLED_BACK"));
    }

    @Test
    public void killedDuringARollbackTheRollbackFinishes() throws Exception {
        start(3, 0);
        Files.createFile(home(2).resolve("fail"));
        Files.createFile(home(2).resolve("hold-rollback"));
        String id = rollout();
        awaitFile(home(2).resolve("in-rollback"));

        controller.kill();
        controller.start();
        Files.delete(home(2).resolve("hold-rollback"));

        awaitEnded(id);
        assertEquals("rolled back to its old release", "releases/1.4.2", current(2));
        assertEquals("1.4.2", Files.readString(servers.get(2).root().resolve("demo-app/current/VERSION")).strip());
    }

    @Test
    public void killedDuringTheTransferTheTransferResumesAndTheServerIsUpgraded() throws Exception {
        start(1, 64 * 1024 * 1024);
        String id = rollout();
        Path staging = servers.get(0).root().resolve("demo-app/staging");
        await("a partial transfer to " + servers.get(0).name()).atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(10)).until(() -> partialIn(staging));

        controller.kill();
        controller.start();

        awaitEnded(id);
        assertEquals("releases/2.0.0", current(0));
        assertEquals("2.0.0", Files.readString(servers.get(0).root().resolve("demo-app/current/VERSION")).strip());
    }

    /** Servers srv-0..srv-(n-1) on 1.4.2 with the steerable health command, a controller, release 2.0.0 added. */
    private void start(int count, int fillerBytes) throws Exception {
        assumeTrue("openssh-server is not installed", OpenSshServer.available(new OpenSshServer.Options()));
        dir = temp.getRoot().toPath();
        StringBuilder csv = new StringBuilder("name,host,port,user,keyfile\n");
        StringBuilder knownHosts = new StringBuilder();
        for (int i = 0; i < count; i++) {
            OpenSshServer server = OpenSshServer.start(dir.resolve("srv-" + i),
                    new OpenSshServer.Options().name("srv-" + i));
            servers.add(server);
            DemoApplication.install(server.root(), "1.4.2");
            Path health = Files.writeString(server.root().resolve("health.sh"), HEALTH);
            Files.setPosixFilePermissions(health, PosixFilePermissions.fromString("rwxr-xr-x"));
            csv.append(server.name()).append(",127.0.0.1,").append(server.port()).append(',').append(server.user())
                    .append(',').append(server.clientKey()).append('\n');
            knownHosts.append("[127.0.0.1]:").append(server.port()).append(' ').append(server.hostKey()).append('\n');
        }
        Files.writeString(dir.resolve("fleet.csv"), csv);
        Files.writeString(dir.resolve("known_hosts"), knownHosts);
        controller = ControllerProcess.unpack(dir.resolve("controller"));
        // The test's health command, and time enough for a held one to outlive a restart of the controller. The
        // files are the instance's own from the start: a feature never overwrites a configuration file that exists.
        Files.writeString(controller.home().resolve("etc/org.fleetup.profiles.cfg"),
                "demo-app.healthCommand = sh ../health.sh\n");
        Files.writeString(controller.home().resolve("etc/org.fleetup.upgrade.cfg"), "commandTimeoutSeconds = 300\n");
        controller.start();
        controller.ok("fleet:server-import --csv " + dir.resolve("fleet.csv") + " --known-hosts "
                + dir.resolve("known_hosts"));
        Path artifact = fillerBytes > 0
                ? DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"), fillerBytes)
                : DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"));
        controller.ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
    }

    /** Starts the rollout over every server, by name, the last ones together after a canary; returns its id. */
    private String rollout() throws Exception {
        String names = String.join(" ", servers.stream().map(OpenSshServer::name).toList());
        String started = controller.ok("fleet:rollout-start --release demo-app/2.0.0 --yes --order name --canary 1"
                + " --wave 100pct --max-errors 100pct " + names);
        Matcher id = Pattern.compile("Rollout (\\S+) of demo-app/2.0.0").matcher(started);
        assertTrue(started, id.find());
        return id.group(1);
    }

    private void awaitEnded(String id) {
        await("rollout " + id + " ends by itself after the restart").atMost(Duration.ofSeconds(240))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    String status = controller.ok("fleet:rollout-list");
                    return status.lines().anyMatch(line -> line.contains(id) && (line.contains("FINISHED")
                            || line.contains("PAUSED") || line.contains("ABORTED")));
                });
    }

    private Path home(int server) {
        return servers.get(server).root();
    }

    private String current(int server) {
        try {
            return Files.readSymbolicLink(home(server).resolve("demo-app/current")).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitFile(Path file) {
        await(file + " appears").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(file));
    }

    private static boolean partialIn(Path staging) throws IOException {
        if (!Files.isDirectory(staging)) {
            return false;
        }
        try (Stream<Path> files = Files.list(staging)) {
            return files.anyMatch(file -> {
                try {
                    return Files.size(file) > 0;
                } catch (IOException e) {
                    return false;
                }
            });
        }
    }

    /** What says a server was installed: the release directory's identity, for the servers that have one. */
    private Map<Integer, Object> installs() throws IOException {
        Map<Integer, Object> keys = new HashMap<>();
        for (int i = 0; i < servers.size(); i++) {
            Path release = home(i).resolve("demo-app/releases/2.0.0");
            if (Files.exists(release)) {
                keys.put(i, Files.readAttributes(release, BasicFileAttributes.class).fileKey());
            }
        }
        return keys;
    }

    /** The servers that had their release before the kill still have that same directory: none installed twice. */
    private void assertUntouchedSince(Map<Integer, Object> before, int... indexes) throws IOException {
        Map<Integer, Object> after = installs();
        for (int i : indexes) {
            if (before.containsKey(i)) {
                assertEquals(servers.get(i).name() + " was not installed again", before.get(i), after.get(i));
            }
        }
    }
}
