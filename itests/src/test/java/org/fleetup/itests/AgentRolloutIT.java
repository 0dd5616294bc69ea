package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.simulator.DemoApplication;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The distribution upgrades a server of the push agent: the key {@code fleet:agent-key} prints is the one the agent
 * trusts, and a rollout over the agent's {@code http://} address installs the release, judged from the agent's root.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AgentRolloutIT extends FleetupTestSupport {

    private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)");

    @Override
    @Configuration
    public Option[] config() {
        return OptionUtils.combine(super.config(), systemProperty("fleetup.agent.jar")
                .value(new File(System.getProperty("fleetup.agent.jar")).getAbsolutePath()));
    }

    @Test
    public void rolloutOverAPushAgentInstallsTheRelease() throws Exception {
        Path work = Files.createTempDirectory("fleetup-agent-it");
        String keyLine = ok("fleet:agent-key").lines().filter(line -> line.startsWith("ssh-ed25519 ")).findFirst()
                .orElseThrow();
        DemoApplication.install(work.resolve("opt"), "1.4.2");
        Path root = work.resolve("opt").resolve(DemoApplication.PRODUCT);
        Files.writeString(work.resolve("trusted-controllers"), keyLine + "\n");
        Path log = work.resolve("agent.log");
        Process agent = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", System.getProperty("fleetup.agent.jar"), "push", "--listen", "127.0.0.1:0",
                "--root", root.toString(), "--trust", work.resolve("trusted-controllers").toString(),
                "--id", "agent-it", "--product", DemoApplication.PRODUCT,
                "--health-command", "current/bin/demo-app --version")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String[] url = new String[1];
            Awaitility.await("the agent listens").atMost(Duration.ofSeconds(60)).until(() -> {
                Matcher matcher = LISTENING.matcher(Files.readString(log));
                url[0] = matcher.find() ? matcher.group(1) : null;
                return url[0] != null || !agent.isAlive();
            });
            assertTrue(Files.readString(log), agent.isAlive());
            service(Inventory.class).addServers(List.of(new Server("agent-it", null, URI.create(url[0]), Map.of(),
                    Map.of())));
            Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
            ok("fleet:sim-release --version 2.0.0 " + artifact);
            ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);

            ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait agent-it");

            assertEquals(Files.readString(log), "releases/2.0.0", Files.readSymbolicLink(root.resolve("current"))
                    .toString());
            assertEquals("2.0.0\n", Files.readString(root.resolve("current/VERSION")));
        } finally {
            agent.destroy();
            agent.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
