package org.fleetup.itests;

import static org.awaitility.Awaitility.await;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.karaf.features.BundleInfo;
import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.TransportInfo;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.LoopbackPorts;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Transports come and go through the running distribution's {@code deploy/} directory, as an operator drops them, for
 * the SSH and SFTP transports (simulated servers, the SFTP ones with no shell) and the push-agent transport (agents
 * started as real processes). Each transport is dropped as two files: a features file whose feature (installed at once,
 * {@code install="auto"}) brings the transport's libraries, named by their Maven coordinates in the distribution's own
 * {@code system/} repository (MINA SSHD and the SSH client for ssh and sftp, the agent protocol and the agents' server
 * for http: self-contained, whatever the core feature carries), and the transport's bundle jar, which File Install
 * installs, removes, and updates in place when a new version replaces it.
 * <ul>
 * <li>dropped, servers of its scheme are usable at once: a rollout upgrades them;</li>
 * <li>removed, plans and rollouts of its servers fail fast ("No transport for scheme ...") and change nothing, and
 * {@code fleet:transport-list} shows the scheme with no transport and its servers;</li>
 * <li>replaced by a new version while a rollout waits on busy servers, the rollout goes on to the end on the new one,
 * and {@code fleet:transport-list} shows the new version.</li>
 * </ul>
 * Every judgement is read from the servers' own files.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportHotSwapIT extends FleetupTestSupport {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    /** The version the tests give the replacing bundle: above the distribution's 0.1.0.SNAPSHOT. */
    private static final String NEW_VERSION = "0.1.1";

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Override
    @Configuration
    public Option[] config() {
        return OptionUtils.combine(super.config(),
                systemProperty("fleetup.agent.jar").value(new File(System.getProperty("fleetup.agent.jar"))
                        .getAbsolutePath()),
                // A busy server is looked at again every second, so the rollout goes on soon after it is freed.
                editConfigurationFilePut("etc/org.fleetup.upgrade.cfg", "installableFirstBackOffSeconds", "1"),
                editConfigurationFilePut("etc/org.fleetup.upgrade.cfg", "installableMaxBackOffSeconds", "1"),
                // An operator whose agents are elsewhere fixes the artifact server's port: a new version of the
                // transport listens where the orders in flight send their agents.
                editConfigurationFilePut("etc/org.fleetup.transport.http.cfg", "artifactListen",
                        "127.0.0.1:" + LoopbackPorts.free()));
    }

    @Test
    public void sshTransportDroppedRemovedAndReplacedInDeploy() throws Exception {
        Path work = Files.createTempDirectory("fleetup-swap-ssh");
        ok("fleet:sim-start --prefix swap --version 1.2.3 4");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("swap-")).toList();
        addRelease(work);
        Feature shipped = uninstall("fleetup-transport-ssh");
        assertMissing("ssh", hosts.stream().map(SimulatedHost::name).toList());

        // (a) dropped: usable at once
        Path jar = drop(shipped, "fleetup-transport-ssh", false);
        awaitTransport("ssh", "0.1.0.SNAPSHOT");
        ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + hosts.get(0).name());
        assertUpgraded(hosts.get(0).root());

        // (b) removed: fail fast, nothing changed
        Files.delete(jar);
        awaitNoTransport("ssh");
        List<String> rest = hosts.subList(1, hosts.size()).stream().map(SimulatedHost::name).toList();
        assertMissing("ssh", rest);
        for (SimulatedHost host : hosts.subList(1, hosts.size())) {
            assertUnchanged(host.root(), "releases/1.2.3");
        }

        // (c) replaced by a new version while the rollout waits on busy servers
        drop(shipped, "fleetup-transport-ssh", false);
        awaitTransport("ssh", "0.1.0.SNAPSHOT");
        List<Path> busy = new ArrayList<>();
        for (SimulatedHost host : hosts.subList(1, hosts.size())) {
            busy.add(Files.createFile(host.root().resolve("demo-app/.busy")));
        }
        replacedMidRollout(shipped, "fleetup-transport-ssh", "ssh", rest, busy);
        for (SimulatedHost host : hosts) {
            assertUpgraded(host.root());
        }
    }

    @Test
    public void sftpTransportDroppedRemovedAndReplacedInDeploy() throws Exception {
        Path work = Files.createTempDirectory("fleetup-swap-sftp");
        // Servers with no shell, on the demo's old versions in turn.
        ok("fleet:sim-start --prefix swapsftp --version 1.2.3 --sftp-only 4 0");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("swapsftp-"))
                .toList();
        Map<Path, String> before = new HashMap<>();
        for (SimulatedHost host : hosts) {
            before.put(host.root(), currentTarget(host.root()));
        }
        addRelease(work);
        Feature shipped = uninstall("fleetup-transport-sftp");
        assertMissing("sftp", hosts.stream().map(SimulatedHost::name).toList());

        // (a) dropped: usable at once
        Path jar = drop(shipped, "fleetup-transport-sftp", false);
        awaitTransport("sftp", "0.1.0.SNAPSHOT");
        ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + hosts.get(0).name());
        assertUpgraded(hosts.get(0).root());

        // (b) removed: fail fast, nothing changed
        Files.delete(jar);
        awaitNoTransport("sftp");
        List<String> rest = hosts.subList(1, hosts.size()).stream().map(SimulatedHost::name).toList();
        assertMissing("sftp", rest);
        for (SimulatedHost host : hosts.subList(1, hosts.size())) {
            assertUnchanged(host.root(), before.get(host.root()));
        }

        // (c) replaced by a new version while the rollout waits on busy servers
        drop(shipped, "fleetup-transport-sftp", false);
        awaitTransport("sftp", "0.1.0.SNAPSHOT");
        List<Path> busy = new ArrayList<>();
        for (SimulatedHost host : hosts.subList(1, hosts.size())) {
            busy.add(Files.createFile(host.root().resolve("demo-app/.busy")));
        }
        replacedMidRollout(shipped, "fleetup-transport-sftp", "sftp", rest, busy);
        for (SimulatedHost host : hosts) {
            assertUpgraded(host.root());
        }
    }

    @Test
    public void httpTransportDroppedRemovedAndReplacedInDeploy() throws Exception {
        Path work = Files.createTempDirectory("fleetup-swap-http");
        // Read while its transport is there: the key stays in etc/ when the transport goes.
        String keyLine = ok("fleet:agent-key").lines().filter(line -> line.startsWith("ssh-ed25519 ")).findFirst()
                .orElseThrow();
        Files.writeString(work.resolve("trusted-controllers"), keyLine + "\n");
        addRelease(work);
        List<String> names = List.of("swap-agent-1", "swap-agent-2");
        List<Process> agents = new ArrayList<>();
        try {
            List<Path> roots = new ArrayList<>();
            List<Server> servers = new ArrayList<>();
            for (String name : names) {
                Path root = work.resolve(name).resolve(DemoApplication.PRODUCT);
                DemoApplication.install(work.resolve(name), "1.4.2");
                Process agent = startAgent(work, name, root);
                agents.add(agent);
                roots.add(root);
                servers.add(new Server(name, null, URI.create(awaitListening(agent, work.resolve(name + ".log"))),
                        Map.of(), Map.of()));
            }
            service(Inventory.class).addServers(servers);
            Feature shipped = uninstall("fleetup-transport-http");
            assertMissing("http", names);
            for (Path root : roots) {
                assertUnchanged(root.getParent(), "releases/1.4.2");
            }

            // (a) dropped: usable at once
            Path jar = drop(shipped, "fleetup-transport-http", false);
            awaitTransport("http", "0.1.0.SNAPSHOT");
            ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + names.get(0));
            assertUpgraded(roots.get(0).getParent());

            // (b) removed: fail fast, nothing changed
            Files.delete(jar);
            awaitNoTransport("http");
            assertMissing("http", List.of(names.get(1)));
            assertUnchanged(roots.get(1).getParent(), "releases/1.4.2");

            // (c) replaced by a new version while the agent waits for its server to be free
            drop(shipped, "fleetup-transport-http", false);
            awaitTransport("http", "0.1.0.SNAPSHOT");
            Path busy = Files.createFile(roots.get(1).resolve(".busy"));
            replacedMidRollout(shipped, "fleetup-transport-http", "http", List.of(names.get(1)), List.of(busy));
            for (Path root : roots) {
                assertUpgraded(root.getParent());
            }
        } finally {
            for (Process agent : agents) {
                agent.destroy();
                agent.waitFor(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts a rollout of {@code names} (whose servers the {@code busy} markers hold), waits until one of them waits
     * in it, replaces the transport's jar in deploy/ by a new version, waits until that version serves, frees the
     * servers, and expects the rollout to end with every one upgraded.
     */
    private void replacedMidRollout(Feature shipped, String artifactId, String scheme, List<String> names,
                                    List<Path> busy) throws Exception {
        Rollouts rollouts = service(Rollouts.class);
        Set<String> before = rollouts.list().stream().map(Rollout::id).collect(Collectors.toSet());
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Result> rollout = runner.submit(() -> run("fleet:rollout-start --release demo-app/2.0.0 --yes"
                    + " --wait " + String.join(" ", names)));
            String id = await("the rollout").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> rollouts.list().stream().map(Rollout::id).filter(r -> !before.contains(r))
                            .findFirst(), Optional::isPresent).orElseThrow();
            await("a server of rollout " + id + " waiting, busy").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> rollouts.servers(id).stream().anyMatch(s -> s.state() == StepState.WAITING));

            drop(shipped, artifactId, true);
            awaitTransport(scheme, NEW_VERSION);
            for (Path marker : busy) {
                Files.delete(marker);
            }

            Result result = rollout.get(COMMAND_TIMEOUT_SECONDS + 10, TimeUnit.SECONDS);
            assertFalse(result.all(), result.failed());
            String list = ok("fleet:transport-list");
            assertTrue(list, row(list, scheme).contains(artifactId) && row(list, scheme).contains(NEW_VERSION));
        } finally {
            runner.shutdownNow();
        }
    }

    /** Uninstalls the transport's feature the distribution boots, and gives it back: its bundles are the drop's. */
    private Feature uninstall(String name) throws Exception {
        // Fetched where it is used: Karaf may have replaced the one of the boot since.
        Feature feature = service(FeaturesService.class).getFeature(name);
        features(features -> features.uninstallFeature(name));
        assertFalse(service(FeaturesService.class).isInstalled(feature));
        return feature;
    }

    /**
     * Drops the transport in deploy/: its libraries as a features file (once), then its bundle jar, taken from the
     * distribution's system repository, or as a new version of it ({@value #NEW_VERSION}) replacing the jar there.
     * Each file arrives whole (moved in), so File Install never reads half of one.
     */
    private Path drop(Feature shipped, String artifactId, boolean newVersion) throws Exception {
        Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
        Path staging = Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "drop");
        String transport = shipped.getBundles().stream().map(BundleInfo::getLocation)
                .filter(location -> location.startsWith("mvn:org.fleetup/" + artifactId + "/")).findFirst()
                .orElseThrow(() -> new AssertionError(shipped.getName() + " has no bundle " + artifactId));
        Path libraries = deploy.resolve(artifactId + "-libraries.xml");
        if (!Files.exists(libraries)) {
            StringBuilder xml = new StringBuilder("<features name=\"" + artifactId + "-libraries\" "
                    + "xmlns=\"http://karaf.apache.org/xmlns/features/v1.6.0\">\n  <feature name=\"" + artifactId
                    + "-libraries\" version=\"1.0.0\" install=\"auto\">\n");
            shipped.getBundles().stream().map(BundleInfo::getLocation).filter(location -> !location.equals(transport))
                    .forEach(location -> xml.append("    <bundle>").append(location).append("</bundle>\n"));
            xml.append("  </feature>\n</features>\n");
            moveIn(Files.writeString(staging.resolve("features.xml"), xml), libraries);
        }
        Path jar = staging.resolve(artifactId + ".jar");
        try (InputStream in = new URL(transport).openStream()) {
            if (newVersion) {
                withVersion(in, jar, NEW_VERSION);
            } else {
                Files.copy(in, jar);
            }
        }
        Path dropped = moveIn(jar, deploy.resolve(artifactId + ".jar"));
        Files.delete(staging);
        return dropped;
    }

    private static Path moveIn(Path file, Path target) throws IOException {
        return Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The same bundle with another Bundle-Version in its manifest. */
    private static void withVersion(InputStream bundle, Path target, String version) throws IOException {
        try (JarInputStream in = new JarInputStream(bundle)) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream file = Files.newOutputStream(target); JarOutputStream out = new JarOutputStream(file,
                    manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    private void awaitTransport(String scheme, String version) throws InterruptedException {
        TransportRegistry registry = service(TransportRegistry.class);
        await(scheme + " transport " + version).atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> registry.transports().stream().anyMatch(t -> t.scheme().equals(scheme)
                        && version.equals(t.version())));
    }

    private void awaitNoTransport(String scheme) throws InterruptedException {
        TransportRegistry registry = service(TransportRegistry.class);
        await("no " + scheme + " transport").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .until(() -> registry.transports().stream().map(TransportInfo::scheme).noneMatch(scheme::equals));
    }

    /** With no transport for the scheme: listed as such with its servers, plans and rollouts refused at once. */
    private void assertMissing(String scheme, List<String> names) throws InterruptedException {
        String list = ok("fleet:transport-list");
        int servers = service(Inventory.class).serversByScheme().getOrDefault(scheme, 0);
        assertTrue(list, row(list, scheme).contains("no transport") && row(list, scheme).strip()
                .endsWith(" " + servers));
        String targets = String.join(" ", names);
        Result plan = run("fleet:plan --release demo-app/2.0.0 " + targets);
        assertTrue(plan.all(), plan.failed()
                && plan.error().getMessage().contains("No transport for scheme " + scheme));
        Result refused = run("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + targets);
        assertTrue(refused.all(), refused.failed()
                && refused.error().getMessage().contains("No transport for scheme " + scheme));
    }

    /** The table row of a scheme in fleet:transport-list's output. */
    private static String row(String list, String scheme) {
        return list.lines().filter(line -> line.strip().startsWith(scheme + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + scheme + " in\n" + list));
    }

    /** Both tests upgrade to demo-app 2.0.0: the first one adds it. */
    private void addRelease(Path work) {
        if (!ok("fleet:release-list").contains("2.0.0")) {
            Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
            ok("fleet:sim-release --version 2.0.0 " + artifact);
            ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        }
    }

    private static void assertUpgraded(Path root) throws IOException {
        assertEquals(root + " upgraded", "releases/2.0.0", currentTarget(root));
        assertEquals(root + " runs 2.0.0", "2.0.0", runningVersion(root));
        assertEquals(List.of(), manifestMismatches(root.resolve("demo-app/releases/2.0.0")));
    }

    private static void assertUnchanged(Path root, String current) throws IOException {
        assertEquals(root + " unchanged", current, currentTarget(root));
        assertFalse(root + " got nothing", Files.exists(root.resolve("demo-app/releases/2.0.0")));
        assertFalse(root + " got nothing", Files.exists(root.resolve("demo-app/staging")));
    }

    private Process startAgent(Path work, String name, Path root) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("fleetup.agent.jar"), "push", "--listen", "127.0.0.1:0",
                "--root", root.toString(), "--trust", work.resolve("trusted-controllers").toString(),
                "--id", name, "--product", DemoApplication.PRODUCT,
                "--health-command", "current/bin/demo-app --version")
                .redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile()).start();
    }

    private static String awaitListening(Process agent, Path log) throws IOException {
        String[] url = new String[1];
        await("the agent listens").atMost(Duration.ofSeconds(60)).until(() -> {
            Matcher matcher = LISTENING.matcher(Files.readString(log));
            url[0] = matcher.find() ? matcher.group(1) : null;
            return url[0] != null || !agent.isAlive();
        });
        assertTrue(Files.readString(log), agent.isAlive());
        return url[0];
    }
}
