package org.fleetup.routes.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.server.ControllerKey;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.transport.http.AgentSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller side of rollouts to push agents, as the agent tests of this module share it: a controller with the
 * release 2.0.0, its key, its artifact server on 127.0.0.1, and the agent processes a test starts, each stopped by its
 * own handle. A test class gives it its transport ({@link #transports()}) before the routes start.
 */
abstract class AgentRolloutFixture {

    /** Long enough for a loaded machine, short enough that a silent agent fails the test quickly. */
    static final Duration COMPLETION = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    TestController controller;
    ControllerKey key;
    ArtifactServer artifacts;
    FleetRouting routing;
    private final List<AutoCloseable> started = new ArrayList<>();

    @BeforeEach
    void openController() throws Exception {
        controller = new TestController(dir);
        controller.release("2.0.0");
        key = ControllerKey.openOrCreate(dir.resolve("etc").resolve("fleetup-controller.key"), "controller");
        artifacts = new ArtifactServer(controller.store, new InetSocketAddress("127.0.0.1", 0), 2);
        transports();
        routing = controller.start();
    }

    /** Puts the agent transport of the test class into {@code controller.transportsByScheme}. */
    abstract void transports() throws Exception;

    /** The controller's settings for agents, downloading from {@link #artifacts} or {@code artifactTlsBase}. */
    AgentSettings settings(Duration completionWait, URI artifactTlsBase) {
        return new AgentSettings(URI.create("http://127.0.0.1:" + artifacts.address().getPort()),
                Duration.ofSeconds(10), Duration.ofSeconds(600), completionWait, Duration.ofMillis(200), 3,
                artifactTlsBase);
    }

    /** {@code resource}, closed after the controller and the agents. */
    <T extends AutoCloseable> T closedAtEnd(T resource) {
        started.add(0, resource);
        return resource;
    }

    @AfterEach
    void closeController() throws Exception {
        controller.close();
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        artifacts.close();
    }

    PushAgentProcess agent(String name, String... more) {
        PushAgentProcess agent = PushAgentProcess.start(dir.resolve(name), name, "1.4.2", key.publicLine(), more);
        started.add(agent);
        return agent;
    }

    void inventory(String name, URI address) {
        inventory(name, address, null);
    }

    /** The server {@code name} at the agent's {@code address}; {@code pin}, the fingerprint of its certificate. */
    void inventory(String name, URI address, String pin) {
        controller.inventory.addServers(List.of(new Server(name, null, address, Map.of(), Map.of())),
                pin == null ? Map.of() : Map.of(name, pin));
    }

    /** One wave of them all, which no failure stops: each server ends as it ends. */
    Rollout rollout(List<String> servers) throws Exception {
        RolloutOptions options = new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                OnError.PAUSE, ServerOrder.NAME, servers.size(), false);
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", servers,
                servers.size(), null, false, "tester", options));
        return routing.completion(rollout.id()).toCompletableFuture().get(180, TimeUnit.SECONDS);
    }

    static String current(Path root) throws IOException {
        return Files.readSymbolicLink(root.resolve("current")).toString();
    }
}
