package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.features.FeaturesService;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.Transport;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The SSH transport is a feature of its own: removed from the running controller, plans and rollouts for ssh://
 * servers fail fast and change nothing; installed again, the same rollout succeeds, with no restart.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportHotSwapIT extends FleetupTestSupport {

    private static final String FEATURE = "fleetup-transport-ssh";

    @Test
    public void sshTransportRemovedAndInstalledAgainAtRuntime() throws Exception {
        Path work = Files.createTempDirectory("fleetup-it");
        ok("fleet:sim-start --prefix swap --version 1.2.3 3");
        List<SimulatedHost> hosts = simulator.hosts().stream().filter(h -> h.name().startsWith("swap-")).toList();
        String names = hosts.stream().map(SimulatedHost::name).collect(Collectors.joining(" "));
        Path artifact = work.resolve("demo-app-2.0.0.tar.gz");
        ok("fleet:sim-release --version 2.0.0 " + artifact);
        ok("fleet:release-add --product demo-app --version 2.0.0 " + artifact);
        assertTrue(ok("fleet:transport-list").contains("ssh"));

        // Fetched where it is used: one fetched at the start of the test can be one Karaf has replaced since (its
        // configuration arrives during the boot), whose executor is shut down.
        FeaturesService features = service(FeaturesService.class);
        features.uninstallFeature(FEATURE);
        assertFalse(features.isInstalled(features.getFeature(FEATURE)));
        assertFalse(ok("fleet:transport-list").contains("ssh"));

        Result plan = run("fleet:plan --release demo-app/2.0.0 " + names);
        assertTrue(plan.all(), plan.failed() && plan.error().getMessage().contains("No transport for scheme ssh"));
        Result refused = run("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + names);
        assertTrue(refused.all(), refused.failed()
                && refused.error().getMessage().contains("No transport for scheme ssh"));
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " unchanged", "releases/1.2.3", currentTarget(host.root()));
            assertFalse(host.name() + " got nothing", Files.exists(host.root().resolve("demo-app/staging")));
        }

        service(FeaturesService.class).installFeature(FEATURE);
        service(Transport.class);
        ok("fleet:rollout-start --release demo-app/2.0.0 --yes --wait " + names);
        for (SimulatedHost host : hosts) {
            assertEquals(host.name() + " upgraded", "releases/2.0.0", currentTarget(host.root()));
            assertEquals(host.name() + " runs 2.0.0", "2.0.0", runningVersion(host.root()));
            assertEquals(List.of(), manifestMismatches(host.root().resolve("demo-app/releases/2.0.0")));
        }
    }
}
