package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.testing.RunningAgent;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * One rollout of the distribution upgrades the three kinds of server a fleet may mix, all real processes on 127.0.0.1
 * started by the test from inside the container: OpenSSH {@code sshd}s reached over {@code ssh://}, OpenSSH
 * {@code sshd}s that offer SFTP alone ({@code sftp://}, {@code ForceCommand internal-sftp}: no shell) and push agents
 * ({@code http://}, the distribution's own {@code agent/fleetup-agent.jar}, trusting only this controller's key). The
 * fleet is imported from a CSV with the {@code address} column, planned and rolled out through the shell commands.
 * One server of each kind is busy (its {@code .busy} marker exists past the wait): the rollout names it failed with
 * that reason, and it keeps its old release. Every server is judged by its own files.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MixedTransportsIT extends FleetupTestSupport {

    private static final String RELEASE = "2.0.0";
    private static final Map<String, String> OLD_VERSION = Map.of("ssh", "1.4.2", "sftp", "1.0.0", "agent", "1.9.7");
    private static final Pattern ENDED = Pattern.compile("Rollout (\\S+) FINISHED");

    private final List<AutoCloseable> started = new ArrayList<>();
    private Bundle testing;
    private Path dir;

    @Override
    @Configuration
    public Option[] config() {
        String testingJar = new File(System.getProperty("fleetup.testing.jar")).getAbsolutePath();
        return OptionUtils.combine(super.config(),
                systemProperty("fleetup.testing.jar").value(testingJar),
                // A busy server is given up after 2 s, by each transport alike, instead of the operator's 5 minutes.
                editConfigurationFilePut("etc/org.fleetup.upgrade.cfg", "installableWaitSeconds", "2"),
                editConfigurationFilePut("etc/org.fleetup.upgrade.cfg", "installableFirstBackOffSeconds", "1"),
                editConfigurationFilePut("etc/org.fleetup.upgrade.cfg", "installableMaxBackOffSeconds", "1"),
                editConfigurationFilePut("etc/org.fleetup.transport.sftp.cfg", "installableWaitSeconds", "2"),
                editConfigurationFilePut("etc/org.fleetup.transport.sftp.cfg", "pollIntervalSeconds", "1"));
    }

    /**
     * The real peers (OpenSshServer, RunningAgent) are started from inside the container, by the test: their jar,
     * wrapped as a bundle, is installed once the container runs, when Karaf's {@code wrap:} protocol is there (the
     * boot features that install Pax Exam's options are resolved before it is); the probe imports them dynamically.
     */
    @Before
    public void installTestingBundle() throws BundleException {
        testing = bundleContext.installBundle("wrap:file:" + System.getProperty("fleetup.testing.jar")
                + "$Bundle-SymbolicName=org.fleetup.testing&Export-Package=org.fleetup.testing");
        testing.start();
    }

    @After
    public void stopEverything() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        if (testing != null) {
            testing.uninstall();
        }
        if (dir != null) {
            // Deepest first: every server is stopped, nothing writes there any more.
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    public void oneRolloutUpgradesSshSftpOnlyAndAgentServersAndLeavesTheBusyOneOfEachKindOnItsRelease()
            throws Exception {
        assumeTrue("openssh-server is not installed", OpenSshServer.available(new OpenSshServer.Options()));
        dir = Files.createTempDirectory("fleetup-mixed-it");
        // name -> the directory the server's demo-app lies under
        Map<String, Path> roots = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("name,address,user,keyfile\n");
        StringBuilder knownHosts = new StringBuilder();
        for (String kind : List.of("ssh", "sftp")) {
            for (int i = 1; i <= 3; i++) {
                String name = kind + "-0" + i;
                OpenSshServer.Options options = new OpenSshServer.Options().name(name);
                OpenSshServer server = start(OpenSshServer.start(dir.resolve(name),
                        "sftp".equals(kind) ? options.sftpOnly() : options));
                DemoApplication.install(server.root(), OLD_VERSION.get(kind));
                roots.put(name, server.root());
                csv.append(name).append(',').append(kind).append("://127.0.0.1:").append(server.port()).append(',')
                        .append(server.user()).append(',').append(server.clientKey()).append('\n');
                knownHosts.append("[127.0.0.1]:").append(server.port()).append(' ').append(server.hostKey())
                        .append('\n');
            }
        }
        String controllerKey = ok("fleet:agent-key").lines().map(String::strip)
                .filter(line -> line.startsWith("ssh-ed25519 ")).findFirst().orElseThrow();
        Path trust = Files.writeString(dir.resolve("trusted-controllers"), controllerKey + "\n");
        // The agent the distribution ships for operators to copy to their servers.
        Path agentJar = Path.of(System.getProperty("karaf.home"), "agent", "fleetup-agent.jar");
        for (int i = 1; i <= 3; i++) {
            String name = "agent-0" + i;
            Path home = dir.resolve(name);
            DemoApplication.install(home, OLD_VERSION.get("agent"));
            RunningAgent agent = start(RunningAgent.start(agentJar, home, dir.resolve(name + ".log"), List.of(
                    "--root", home.resolve(DemoApplication.PRODUCT).toString(), "--trust", trust.toString(),
                    "--id", name, "--product", DemoApplication.PRODUCT,
                    "--health-command", "current/bin/demo-app --version", "--installable-wait", "2")));
            roots.put(name, home);
            csv.append(name).append(',').append(agent.address()).append(",,\n");
        }
        List<String> busy = List.of("ssh-03", "sftp-03", "agent-03");
        for (String name : busy) {
            Files.createFile(roots.get(name).resolve(DemoApplication.PRODUCT).resolve(".busy"));
        }
        String names = String.join(" ", roots.keySet());

        ok("fleet:server-import --csv " + Files.writeString(dir.resolve("fleet.csv"), csv) + " --known-hosts "
                + Files.writeString(dir.resolve("known_hosts"), knownHosts));
        ok("fleet:release-add --product demo-app --version " + RELEASE + " "
                + DemoApplication.writeRelease(RELEASE, dir.resolve("demo-app-" + RELEASE + ".tar.gz")));
        String plan = ok("fleet:plan --release demo-app/" + RELEASE + " " + names);
        for (String name : roots.keySet()) {
            assertTrue(plan, plan.lines().anyMatch(line -> line.startsWith(name) && line.contains("UPGRADE")));
        }
        // One wave of all nine, which no failure stops: each server ends as it ends.
        Result rollout = run("fleet:rollout-start --release demo-app/" + RELEASE + " --yes --wait --canary 0"
                + " --wave 100pct --max-errors 100pct --order name " + names);

        assertTrue(rollout.all(), rollout.failed() && rollout.error().getMessage()
                .contains("3 of 9 servers failed"));
        Matcher ended = ENDED.matcher(rollout.output());
        assertTrue(rollout.all(), ended.find());
        Map<String, RolloutServer> outcome = service(Rollouts.class).servers(ended.group(1)).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
        assertEquals(roots.keySet(), outcome.keySet());
        for (Map.Entry<String, Path> server : roots.entrySet()) {
            String name = server.getKey();
            Path root = server.getValue();
            RolloutServer ending = outcome.get(name);
            String why = name + ": " + ending + "\n" + rollout.all();
            if (busy.contains(name)) {
                String old = OLD_VERSION.get(name.substring(0, name.indexOf('-')));
                assertEquals(why, StepState.FAILED, ending.state());
                assertTrue(why, ending.detail().contains(".busy"));
                assertTrue(why, rollout.error().getMessage().contains(name));
                assertEquals(why, "releases/" + old, currentTarget(root));
                assertEquals(why, old, runningVersion(root));
                assertFalse(why, Files.exists(root.resolve("demo-app/releases/" + RELEASE)));
            } else {
                assertEquals(why, StepState.DONE, ending.state());
                assertEquals(why, "releases/" + RELEASE, currentTarget(root));
                assertEquals(why, RELEASE, runningVersion(root));
            }
        }
    }

    /** {@code process}, stopped by its own handle after the test, the last started first. */
    private <T extends AutoCloseable> T start(T process) {
        started.add(process);
        return process;
    }
}
