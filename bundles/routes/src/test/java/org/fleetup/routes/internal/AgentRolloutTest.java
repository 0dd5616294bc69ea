package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.server.ControllerKey;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.transport.http.AgentTransport;
import org.junit.jupiter.api.Test;

/**
 * Push-agent servers in rollouts of the stored engine, beside SSH servers: real {@code fleetup-agent.jar push}
 * processes on 127.0.0.1, each with its own application root, ordered with the controller's key and downloading from
 * its artifact server; judged from the roots' own files.
 */
class AgentRolloutTest extends AgentRolloutFixture {

    private AgentTransport transport;

    @Override
    void transports() {
        transport = new AgentTransport(settings(COMPLETION, null), key, controller.planner,
                controller.inventory);
        controller.transportsByScheme.put("http", transport);
    }

    @Test
    void agentServersAndAnSshServerAreUpgradedInOneRollout() throws Exception {
        PushAgentProcess first = agent("agent-1");
        PushAgentProcess second = agent("agent-2");
        inventory("agent-1", first.address());
        inventory("agent-2", second.address());
        SimulatedHost ssh = controller.servers("web", 1, "1.4.2").get(0);
        assertThat(routing.inspect(controller.inventory.servers(null), DemoApplication.PRODUCT, 3))
                .as("inspected through the agents' API, the SSH server over SSH")
                .extracting(Inspection::server, Inspection::status, Inspection::version)
                .containsExactly(tuple("agent-1", Inspection.Status.OK, "1.4.2"),
                        tuple("agent-2", Inspection.Status.OK, "1.4.2"),
                        tuple(ssh.name(), Inspection.Status.OK, "1.4.2"));

        Rollout ended = rollout(List.of("agent-1", "agent-2", ssh.name()));

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(ended.id())).extracting(RolloutServer::server, RolloutServer::state,
                RolloutServer::from, RolloutServer::to)
                .containsExactly(tuple("agent-1", StepState.DONE, "1.4.2", "2.0.0"),
                        tuple("agent-2", StepState.DONE, "1.4.2", "2.0.0"),
                        tuple(ssh.name(), StepState.DONE, "1.4.2", "2.0.0"));
        for (PushAgentProcess agent : List.of(first, second)) {
            assertThat(current(agent.root())).isEqualTo("releases/2.0.0");
            assertThat(Files.readString(agent.root().resolve("current/VERSION"))).isEqualTo("2.0.0\n");
            assertThat(agent.restarts()).as("activated once").containsExactly("2.0.0");
        }
        assertThat(current(RolloutWavesTest.app(ssh))).isEqualTo("releases/2.0.0");
    }

    @Test
    void anAgentWhoseHealthCheckFailsEndsRolledBackAndOneNotRunningFailsWithinTheDeadline() throws Exception {
        PushAgentProcess unhealthy = agent("agent-1");
        unhealthy.failHealthOf("2.0.0");
        inventory("agent-1", unhealthy.address());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        inventory("agent-2", URI.create("http://127.0.0.1:" + closedPort));
        Instant begun = Instant.now();

        Rollout ended = rollout(List.of("agent-1", "agent-2"));

        assertThat(Duration.between(begun, Instant.now())).isLessThan(COMPLETION);
        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(ended.id())).extracting(RolloutServer::server, RolloutServer::state)
                .containsExactly(tuple("agent-1", StepState.ROLLED_BACK), tuple("agent-2", StepState.FAILED));
        assertThat(routing.servers(ended.id()).get(0).detail()).contains("rolled order 1 back");
        assertThat(routing.servers(ended.id()).get(1).detail()).contains("did not answer");
        assertThat(current(unhealthy.root())).isEqualTo("releases/1.4.2");
        assertThat(Files.readString(unhealthy.root().resolve("current/VERSION"))).isEqualTo("1.4.2\n");
        assertThat(unhealthy.restarts()).containsExactly("2.0.0", "1.4.2");
    }

    @Test
    void anAgentThatDoesNotEndItsOrderBeforeTheDeadlineFailsItsServer() throws Exception {
        Duration deadline = Duration.ofSeconds(3);
        controller.transportsByScheme.put("http", new AgentTransport(settings(deadline, null), key,
                controller.planner, controller.inventory));
        // Busy for longer than the deadline: the agent accepts the order and waits for the server to be installable.
        PushAgentProcess busy = agent("agent-1", "--installable-wait", "300");
        Files.writeString(busy.root().resolve(".busy"), "backup running\n");
        inventory("agent-1", busy.address());
        Instant begun = Instant.now();

        Rollout ended = rollout(List.of("agent-1"));

        assertThat(Duration.between(begun, Instant.now())).isLessThan(deadline.plusSeconds(60));
        assertThat(routing.servers(ended.id())).extracting(RolloutServer::state).containsExactly(StepState.FAILED);
        assertThat(routing.servers(ended.id()).get(0).detail())
                .startsWith("The agent did not end order 1 within 3 s (it is waiting-installable)");
        assertThat(current(busy.root())).isEqualTo("releases/1.4.2");
        busy.kill();
    }

    @Test
    void anAgentThatGoesSilentWhileItCarriesOutItsOrderFailsItsServerAfterTheRetryLimit() throws Exception {
        // Busy: the agent accepts the order and waits, until it is killed.
        PushAgentProcess silent = agent("agent-1", "--installable-wait", "300");
        Files.writeString(silent.root().resolve(".busy"), "backup running\n");
        inventory("agent-1", silent.address());
        RolloutOptions options = new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                OnError.PAUSE, ServerOrder.NAME, 1, false);
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of("agent-1"), 1,
                null, false, "tester", options));
        await("the order is journaled as accepted").atMost(Duration.ofSeconds(60)).until(() -> controller.repository
                .actions(rollout.id()).get(0).journal().containsKey("agent.accepted"));

        silent.kill();
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(routing.servers(ended.id())).extracting(RolloutServer::state).containsExactly(StepState.FAILED);
        assertThat(routing.servers(ended.id()).get(0).detail())
                .startsWith("The agent went silent while carrying out order 1 (4 questions unanswered)");
        assertThat(current(silent.root())).isEqualTo("releases/1.4.2");
    }

    @Test
    void aControllerRestartedWhileAnAgentInstallsFollowsTheSameOrder() throws Exception {
        PushAgentProcess agent = agent("agent-1");
        inventory("agent-1", agent.address());
        RolloutOptions options = new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                OnError.PAUSE, ServerOrder.NAME, 1, false);
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of("agent-1"), 1,
                null, false, "tester", options));
        await("the order is journaled as accepted").atMost(Duration.ofSeconds(60)).until(() -> controller.repository
                .actions(rollout.id()).get(0).journal().containsKey("agent.accepted"));

        routing = controller.restart();
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(180, TimeUnit.SECONDS);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(rollout.id())).extracting(RolloutServer::state).containsExactly(StepState.DONE);
        assertThat(agent.status()).as("one order only").contains("\"lastSequence\":1,");
        assertThat(agent.restarts()).as("installed and activated once").containsExactly("2.0.0");
        assertThat(current(agent.root())).isEqualTo("releases/2.0.0");
    }

    @Test
    void anOrderSentBeforeTheControllerDiedIsFollowedNotSentAgainAndInstalledOnce() throws Exception {
        PushAgentProcess agent = agent("agent-1");
        Server server = new Server("agent-1", null, agent.address(), Map.of(), Map.of());
        Journal journal = Journal.inMemory();
        var release = controller.store.require(DemoApplication.PRODUCT, "2.0.0");
        try (Procedure first = transport.begin("r1", server, release, false, event -> { }, journal)) {
            for (Procedure.Step step : List.of(Procedure.Step.CONNECT, Procedure.Step.INSPECT,
                    Procedure.Step.COMPARE, Procedure.Step.INSTALL)) {
                first.run(step);
            }
        }
        assertThat(journal.entries()).containsEntry("agent.sequence", "1").containsEntry("agent.accepted", "true");
        // The controller died after the post, before it wrote that the agent had accepted the order.
        journal.record(StepState.INSTALLING, "as the journal stood", Collections.singletonMap("agent.accepted",
                null));

        ServerOutcome outcome;
        try (Procedure again = transport.begin("r1", server, release, false, event -> { }, journal)) {
            outcome = again.runToEnd();
        }

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(agent.log()).contains("REPLAYED");
        assertThat(agent.restarts()).as("installed and activated once").containsExactly("2.0.0");
        assertThat(current(agent.root())).isEqualTo("releases/2.0.0");
    }
}
