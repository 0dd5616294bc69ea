package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --order speed} with servers at different distances: the plan's inspection times each server's connection,
 * and the rollout sends first to those with a known transfer rate, then to the closest, then by name.
 */
class LinkSpeedOrderTest {

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;
    private LatencyRelay far;

    @BeforeEach
    void open() throws Exception {
        controller = new TestController(dir);
        controller.release("2.0.0");
        routing = controller.start();
    }

    @AfterEach
    void close() throws Exception {
        controller.close();
        if (far != null) {
            far.close();
        }
    }

    @Test
    void thePlansInspectionMeasuresEachServersRoundTripAndSpeedOrderPutsTheClosestFirstAfterThoseWithARate()
            throws Exception {
        List<SimulatedHost> hosts = controller.fleet.start("link",
                Collections.nCopies(3, new HostSpec("1.4.2", Set.of())));
        far = new LatencyRelay(hosts.get(0).port(), Duration.ofMillis(60));
        Server direct = controller.fleet.server(hosts.get(0));
        Server behindRelay = new Server(direct.name(), direct.cluster(),
                URI.create("ssh://127.0.0.1:" + far.port()), direct.settings(),
                direct.attributes());
        controller.inventory.addServers(List.of(behindRelay, controller.fleet.server(hosts.get(1)),
                controller.fleet.server(hosts.get(2))), TestController.hostKeys(hosts));
        // link-03 was sent a release before: its rate is known, and a rate tells more than a round trip.
        controller.repository.recordTransfer("link-03", 1_000_000, Duration.ofSeconds(1));
        Release release = controller.store.require(DemoApplication.PRODUCT, "2.0.0");

        routing.plan(release, controller.inventory.servers(null), 3, false);

        Map<String, Duration> trips = controller.repository.roundTrips();
        assertThat(trips).containsOnlyKeys("link-01", "link-02", "link-03");
        assertThat(trips.get("link-01")).as("several round trips through a relay adding 60 ms to each")
                .isGreaterThan(Duration.ofMillis(180)).isGreaterThan(trips.get("link-02"));

        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of(), 1, null,
                false, "tester", new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                OnError.PAUSE, ServerOrder.SPEED, 1, false)));

        assertThat(rollout.servers()).containsExactly("link-03", "link-02", "link-01");
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(90, TimeUnit.SECONDS);
        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        for (SimulatedHost host : hosts) {
            assertThat(RolloutWavesTest.current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }
}
