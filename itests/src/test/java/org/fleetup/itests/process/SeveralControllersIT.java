package org.fleetup.itests.process;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.testing.PostgresqlServer;
import org.junit.After;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Three controllers, the distribution started three times, share one real PostgreSQL inventory and one release store
 * folder, and roll out a fleet of real OpenSSH servers; one of them is killed with SIGKILL while it holds servers. The
 * rollout ends with every server on the new release by its own files, each installed exactly once: every health check
 * on a server writes down the identity of the release directory it checks (its inode and modification time), and a
 * server unpacked twice would show two.
 *
 * <p>The servers of the second wave hold in their health check (a {@code gate} file of the test's own) until each
 * controller has taken its share; then the one elected to make the rollouts' decisions is killed. Another is elected,
 * the killed one's servers come back to the others when its leases run out, and are brought to the end from their
 * journals; the elected one ends the rollout.
 */
public class SeveralControllersIT {

    private static final int SERVERS = 12;
    /** Each controller's workers: three of them can take the whole second wave, one alone cannot. */
    private static final int WORKERS = 4;
    private static final int LEASE_SECONDS = 6;

    private static final String HEALTH = String.join("\n",
            "#!/bin/sh",
            "# run in the application root, $HOME/demo-app",
            "home=..",
            "stat -c '%i %y' releases/2.0.0 >> $home/installs.log",
            "touch $home/in-health",
            "while [ -e $home/gate ]; do sleep 0.1; done",
            "exec current/bin/demo-app --version",
            "");

    @Rule
    public TemporaryFolder temp = new TemporaryFolder();

    private final List<OpenSshServer> servers = new ArrayList<>();
    private final List<ControllerProcess> controllers = new ArrayList<>();
    private PostgresqlServer database;

    @After
    public void stopEverything() {
        controllers.forEach(ControllerProcess::close);
        servers.forEach(OpenSshServer::close);
        if (database != null) {
            database.close();
        }
    }

    @Test
    public void aControllerKilledMidRolloutLosesItsServersToTheOthersAndEveryServerIsUpgradedOnce() throws Exception {
        long began = System.nanoTime();
        assumeTrue("openssh-server is not installed", OpenSshServer.available(new OpenSshServer.Options()));
        assumeTrue("postgresql is not installed", PostgresqlServer.available());
        Path dir = temp.getRoot().toPath();
        database = PostgresqlServer.start(dir.resolve("postgresql"));
        database.createDatabase("fleetup");
        fleet(dir);
        Path releases = Files.createDirectories(dir.resolve("shared-releases"));
        startControllers(dir, database.jdbcUrl("fleetup"), releases);
        ControllerProcess first = controllers.get(0);
        ControllerProcess second = controllers.get(1);

        first.ok("fleet:server-import --csv " + dir.resolve("fleet.csv") + " --known-hosts "
                + dir.resolve("known_hosts"));
        Path artifact = DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"));
        first.ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        String listed = first.ok("fleet:controller-list");
        for (int i = 0; i < 3; i++) {
            assertTrue("every controller heartbeats:\n" + listed, listed.contains("ctl-" + i + "/"));
        }

        // Added on one controller, rolled out from another: the catalog and the bytes are shared.
        for (int i = 1; i < SERVERS; i++) {
            Files.createFile(home(i).resolve("gate"));
        }
        String names = servers.stream().map(OpenSshServer::name).collect(Collectors.joining(" "));
        String started = second.ok("fleet:rollout-start --release demo-app/2.0.0 --yes --order name --canary 1"
                + " --wave 100pct --max-errors 100pct --parallel " + SERVERS + " " + names);
        Matcher id = Pattern.compile("Rollout (\\S+) of demo-app/2.0.0").matcher(started);
        assertTrue(started, id.find());

        for (int i = 1; i < SERVERS; i++) {
            awaitFile(home(i).resolve("in-health"));
        }
        // The one elected to decide for the rollouts, holding servers as the others do: both pass to the others.
        String table = first.ok("fleet:controller-list");
        Map<String, Integer> held = held(table);
        Matcher deciding = Pattern.compile("ctl-(\\d)/.*rollout-decisions").matcher(table);
        assertTrue("one controller decides:\n" + table, deciding.find());
        int victimIndex = Integer.parseInt(deciding.group(1));
        ControllerProcess victim = controllers.get(victimIndex);
        assertTrue("the controller killed holds servers: " + held, held.get("ctl-" + victimIndex) > 0);
        assertTrue("the servers are shared out: " + held, held.values().stream().filter(n -> n > 0).count() >= 2);

        victim.kill();
        for (int i = 1; i < SERVERS; i++) {
            Files.delete(home(i).resolve("gate"));
        }

        ControllerProcess survivor = controllers.get((victimIndex + 1) % 3);
        await("rollout " + id.group(1) + " ends on the controllers left").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1)).until(() -> survivor.ok("fleet:rollout-list").lines()
                        .anyMatch(line -> line.contains(id.group(1)) && (line.contains("FINISHED")
                                || line.contains("PAUSED") || line.contains("ABORTED"))));
        String status = survivor.ok("fleet:rollout-status " + id.group(1));
        assertTrue(status, status.contains("FINISHED"));
        for (int i = 0; i < SERVERS; i++) {
            Path root = servers.get(i).root();
            assertEquals(servers.get(i).name(), "releases/2.0.0",
                    Files.readSymbolicLink(root.resolve("demo-app/current")).toString());
            assertEquals(servers.get(i).name(), "2.0.0",
                    Files.readString(root.resolve("demo-app/current/VERSION")).strip());
            List<String> installs = Files.readAllLines(root.resolve("installs.log")).stream().distinct().toList();
            assertEquals(servers.get(i).name() + " was installed once: " + installs, 1, installs.size());
        }
        String after = survivor.ok("fleet:controller-list");
        assertTrue("the killed controller is told silent:\n" + after, after.lines()
                .anyMatch(line -> line.contains("ctl-" + victimIndex + "/") && line.contains("silent")));
        assertTrue("another decides now:\n" + after, after.lines().anyMatch(line -> line.contains("alive")
                && line.contains("rollout-decisions")));
        System.err.printf("SeveralControllersIT took %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime()
                - began));
    }

    /** Servers srv-00..srv-11 on 1.4.2 with the test's health command; their list and host keys for the import. */
    private void fleet(Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("name,host,port,user,keyfile\n");
        StringBuilder knownHosts = new StringBuilder();
        for (int i = 0; i < SERVERS; i++) {
            String name = String.format("srv-%02d", i);
            OpenSshServer server = OpenSshServer.start(dir.resolve(name), new OpenSshServer.Options().name(name));
            servers.add(server);
            DemoApplication.install(server.root(), "1.4.2");
            Path health = Files.writeString(server.root().resolve("health.sh"), HEALTH);
            Files.setPosixFilePermissions(health, PosixFilePermissions.fromString("rwxr-xr-x"));
            csv.append(name).append(",127.0.0.1,").append(server.port()).append(',').append(server.user())
                    .append(',').append(server.clientKey()).append('\n');
            knownHosts.append("[127.0.0.1]:").append(server.port()).append(' ').append(server.hostKey()).append('\n');
        }
        Files.writeString(dir.resolve("fleet.csv"), csv);
        Files.writeString(dir.resolve("known_hosts"), knownHosts);
    }

    /**
     * Three controllers, ctl-0..ctl-2, each in a directory of its own with its own ports, configured as the README
     * says: the same database in the data source file each ships, the same release store root in each, a name of its
     * own. Started together.
     */
    private void startControllers(Path dir, String url, Path releases) throws Exception {
        for (int i = 0; i < 3; i++) {
            ControllerProcess controller = ControllerProcess.unpack(dir.resolve("controller-" + i));
            Path etc = controller.home().resolve("etc");
            useDatabase(etc.resolve("org.ops4j.datasource-fleetup.cfg"), url);
            Files.writeString(etc.resolve("org.fleetup.storage.cfg"), "root = " + releases.toUri() + "\n");
            Files.writeString(etc.resolve("org.fleetup.routes.cfg"), "controllerId = ctl-" + i + "\nmaxParallelism = "
                    + WORKERS + "\nleaseSeconds = " + LEASE_SECONDS + "\n");
            Files.writeString(etc.resolve("org.fleetup.profiles.cfg"), "demo-app.healthCommand = sh ../health.sh\n");
            Files.writeString(etc.resolve("org.fleetup.upgrade.cfg"), "commandTimeoutSeconds = 300\n");
            controllers.add(controller);
        }
        ExecutorService starting = Executors.newFixedThreadPool(3);
        try {
            List<Future<ControllerProcess>> started = new ArrayList<>();
            controllers.forEach(controller -> started.add(starting.submit(controller::start)));
            for (Future<ControllerProcess> one : started) {
                one.get(180, TimeUnit.SECONDS);
            }
        } finally {
            starting.shutdownNow();
        }
    }

    /**
     * The shipped data source file, edited as an operator does to share a PostgreSQL inventory: its driver, URL and
     * user; the password stays empty (the test's cluster trusts 127.0.0.1).
     */
    private static void useDatabase(Path file, String url) throws IOException {
        String shipped = Files.readString(file);
        String edited = shipped;
        for (String[] setting : new String[][] {{"osgi.jdbc.driver.class", "org.postgresql.Driver"}, {"url", url},
            {"user", PostgresqlServer.USER}}) {
            Matcher line = Pattern.compile("(?m)^" + Pattern.quote(setting[0]) + " = .*$").matcher(edited);
            assertTrue(file + " has a line " + setting[0] + " = ...", line.find());
            edited = line.replaceFirst(Matcher.quoteReplacement(setting[0] + " = " + setting[1]));
        }
        Files.writeString(file, edited);
    }

    /** The servers each controller holds, by name (ctl-N), from {@code fleet:controller-list}, alive ones only. */
    private static Map<String, Integer> held(String table) {
        Pattern row = Pattern.compile("(ctl-\\d)/\\S+.*\\balive\\b\\s*\\|\\s*(\\d+)");
        return table.lines().map(row::matcher).filter(Matcher::find)
                .collect(Collectors.toMap(m -> m.group(1), m -> Integer.parseInt(m.group(2)), Integer::sum));
    }

    private Path home(int server) {
        return servers.get(server).root();
    }

    private static void awaitFile(Path file) {
        await(file + " appears").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(file));
    }
}
