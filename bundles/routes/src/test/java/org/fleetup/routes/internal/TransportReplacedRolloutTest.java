package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transport replaced by a new version while a rollout runs (its bundle updated in deploy/) is gone for a moment:
 * unregistered, then registered again from the new version. A server of the rollout that connects in that moment is
 * tried again on the new one; a transport gone for good fails its servers with the reason, changing nothing on them.
 * Real inventory, real SSH to simulated servers, judged from their files.
 */
class TransportReplacedRolloutTest {

    @TempDir
    Path dir;

    private TestController controller;
    private List<SimulatedHost> hosts;
    private FleetRouting routing;

    @BeforeEach
    void open() {
        controller = new TestController(dir);
        hosts = controller.servers("swap", 2, "1.4.2");
        controller.release("2.0.0");
    }

    @AfterEach
    void close() {
        controller.close();
    }

    @Test
    void aServerConnectingWhileItsTransportIsReplacedGoesOnWithTheNewOne() throws Exception {
        Set<String> met = ConcurrentHashMap.newKeySet();
        // Every server's first connection falls in the moment between the old version and the new one.
        controller.transportsByScheme.put("ssh", server -> met.add(server.name()) ? replacing(server)
                : controller.ssh.connect(server));

        Rollout ended = rollout();

        assertThat(met).containsExactlyInAnyOrderElementsOf(TestController.names(hosts));
        assertThat(ended.status()).as(ended.detail()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(ended.id())).extracting(ReportStatus::of)
                .containsOnly(ReportStatus.UPGRADED);
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }

    @Test
    void aTransportGoneForGoodFailsItsServersWithTheReasonAndChangesNothing() throws Exception {
        controller.transportsByScheme.put("ssh", TransportReplacedRolloutTest::replacing);

        Rollout ended = rollout();

        // The canary fails, which pauses the rollout before the other server starts.
        List<RolloutServer> failed = routing.servers(ended.id()).stream()
                .filter(server -> ReportStatus.of(server) == ReportStatus.FAILED).toList();
        assertThat(failed).isNotEmpty()
                .allSatisfy(server -> assertThat(server.detail()).contains("No transport for scheme ssh"));
        assertThat(routing.servers(ended.id())).extracting(ReportStatus::of).doesNotContain(ReportStatus.UPGRADED);
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).as(host.name()).isEqualTo("releases/1.4.2");
            assertThat(host.root().resolve(DemoApplication.PRODUCT).resolve("releases/2.0.0")).doesNotExist();
        }
    }

    /** What the registry answers while no version of the transport is registered. */
    private static Session replacing(Server server) {
        throw new FleetupException(FleetupException.TRANSPORT_MISSING, "No transport for scheme ssh (server address "
                + server.address() + "). Install one, e.g. feature:install fleetup-transport-ssh");
    }

    private Rollout rollout() throws Exception {
        routing = controller.start();
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 2, null, false, "tester"));
        return routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);
    }

    private static String current(SimulatedHost host) throws IOException {
        return Files.readSymbolicLink(host.root().resolve(DemoApplication.PRODUCT).resolve("current")).toString();
    }
}
