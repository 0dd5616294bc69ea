package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.OnExceptionDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.StepDefinition;
import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-server procedure as the route {@code fleet-action}, a node per step: faults injected at a chosen node with
 * AdviceWith, on real upgrades of simulated servers, judged from their files.
 */
class StepRouteTest {

    @TempDir
    Path dir;

    private TestController controller;
    private FleetRouting routing;
    private List<SimulatedHost> hosts;

    @BeforeEach
    void open() throws Exception {
        controller = new TestController(dir);
        hosts = controller.servers("step", 2, "1.4.2");
        controller.release("2.0.0");
        routing = controller.start();
    }

    @AfterEach
    void close() {
        controller.close();
    }

    @Test
    void everyStepOfTheProcedureIsANodeOfTheActionRouteInItsOrder() {
        RouteDefinition route = controller.camel.getRouteDefinition("fleet-action");

        List<String> steps = route.getOutputs().stream()
                .filter(StepDefinition.class::isInstance)
                .map(ProcessorDefinition::getId)
                .toList();

        assertThat(steps).containsExactly("connect", "inspect", "compare", "wait-installable", "stage", "verify",
                "install", "restart", "reconnect", "health", "confirm", "rollback");
        List<ProcessorDefinition<?>> nodes = route.getOutputs().stream()
                .filter(node -> !(node instanceof OnExceptionDefinition))
                .toList();
        assertThat(nodes.get(0).getId()).isEqualTo("begin");
        assertThat(nodes.get(nodes.size() - 1).getId()).isEqualTo("finish");
    }

    @Test
    void theEventNotifierHearsEveryStepOfEveryServer() throws Exception {
        List<RolloutServer> servers = rollOut();

        assertThat(servers).extracting(RolloutServer::state).containsOnly(StepState.DONE);
        assertThat(routing.stepTimings()).containsOnlyKeys(java.util.Arrays.stream(Procedure.Step.values())
                .map(Procedure.Step::id).toList());
        assertThat(routing.stepTimings().values()).allSatisfy(timing -> {
            assertThat(timing.count()).isEqualTo(hosts.size());
            assertThat(timing.failures()).isZero();
        });
    }

    @Test
    void aFaultAtTheTransferFailsEachServerAloneAndLeavesItOnItsRelease() throws Exception {
        advise("stage", () -> {
            throw new IllegalStateException("injected at the transfer");
        });

        List<RolloutServer> servers = rollOut();

        assertThat(servers).allSatisfy(server -> {
            assertThat(server.state()).isEqualTo(StepState.FAILED);
            assertThat(server.detail()).contains("injected at the transfer");
        });
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).as(host.name()).isEqualTo("releases/1.4.2");
            assertThat(app(host).resolve("releases/2.0.0")).as(host.name()).doesNotExist();
            Path staging = app(host).resolve("staging");
            if (Files.exists(staging)) {
                try (var staged = Files.list(staging)) {
                    assertThat(staged).as(host.name() + ": the staging area left clean").isEmpty();
                }
            }
        }
    }

    @Test
    void aFaultAfterTheSwitchIsDecidedByTheServersOwnRecordNeverGuessed() throws Exception {
        // The unit on the server ended healthy before the fault: the journal it wrote decides, and the release is
        // confirmed by inspecting it again, not failed nor rolled back blindly.
        advise("health", () -> {
            throw new IllegalStateException("injected after the switch");
        });

        List<RolloutServer> servers = rollOut();

        assertThat(servers).allSatisfy(server -> {
            assertThat(server.state()).isEqualTo(StepState.DONE);
            assertThat(server.detail()).contains("upgraded from 1.4.2 to 2.0.0 (verified)");
        });
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).as(host.name()).isEqualTo("releases/2.0.0");
        }
    }

    @Test
    void aConfirmationThatDisagreesRollsTheServerBackInTheRollbackStep() throws Exception {
        // The new release answers its health check, but the version the plan reads is another one; the confirming
        // inspection reads it right after the health check, in the unit's round trip, and the rollback step acts.
        AdviceWith.adviceWith(controller.camel, "fleet-action", route -> route.weaveById("install").before()
                .process(exchange -> {
                    SimulatedHost host = host(exchange.getIn().getBody(ActionWorker.Claim.class).action().server());
                    write(app(host).resolve("releases/2.0.0/VERSION"), "2.0.0-broken\n");
                    Path hook = host.root().resolve(DemoApplication.HEALTH_HOOK);
                    Files.createDirectories(hook.getParent());
                    Files.writeString(hook, "if [ \"$demo_app_version\" = 2.0.0 ]; then echo 2.0.0; exit 0; fi\n");
                }));

        List<RolloutServer> servers = rollOut();

        assertThat(servers).allSatisfy(server -> {
            assertThat(server.state()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(ReportStatus.of(server)).isEqualTo(ReportStatus.ROLLED_BACK);
            assertThat(server.detail()).contains("inspection after the switch read 2.0.0-broken, expected 2.0.0")
                    .contains("rolled back to 1.4.2 (verified)");
        });
        for (SimulatedHost host : hosts) {
            assertThat(current(host)).as(host.name()).isEqualTo("releases/1.4.2");
            assertThat(app(host).resolve("releases/2.0.0")).as(host.name()).doesNotExist();
        }
    }

    @Test
    void aServerUnreachableForAMomentIsConnectedAgainWithBackOffAndUpgraded() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        advise("connect", () -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "injected: connection refused");
            }
        });
        hosts = hosts.subList(0, 1);

        List<RolloutServer> servers = rollOut();

        assertThat(attempts).hasValue(3);
        assertThat(servers).singleElement().extracting(RolloutServer::state).isEqualTo(StepState.DONE);
        assertThat(current(hosts.get(0))).isEqualTo("releases/2.0.0");
    }

    @Test
    void aServerThatStaysUnreachableFailsOnceItsRetriesAreSpentUntouched() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        advise("connect", () -> {
            attempts.incrementAndGet();
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "injected: connection refused");
        });
        hosts = hosts.subList(0, 1);

        List<RolloutServer> servers = rollOut();

        assertThat(attempts).as("the first try and two retries").hasValue(3);
        assertThat(servers).singleElement().satisfies(server -> {
            assertThat(server.state()).isEqualTo(StepState.FAILED);
            assertThat(server.detail()).isEqualTo("injected: connection refused");
        });
        assertThat(current(hosts.get(0))).isEqualTo("releases/1.4.2");
    }

    /** Runs {@code fault} just before the node {@code step} of the action route. */
    private void advise(String step, Runnable fault) throws Exception {
        assertThat(Procedure.Step.values()).extracting(Procedure.Step::id).contains(step);
        AdviceWith.adviceWith(controller.camel, "fleet-action",
                route -> route.weaveById(step).before().process(exchange -> fault.run()));
    }

    private List<RolloutServer> rollOut() throws Exception {
        // One wave that no failure halts: every server goes through the route.
        RolloutOptions oneWave = new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100),
                OnError.PAUSE, ServerOrder.NAME, 2, false);
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                TestController.names(hosts), 2, null, false, "tester", oneWave));
        routing.completion(rollout.id()).toCompletableFuture().get(60, TimeUnit.SECONDS);
        return routing.servers(rollout.id());
    }

    private SimulatedHost host(String name) {
        return hosts.stream().filter(host -> host.name().equals(name)).findFirst().orElseThrow();
    }

    private Path app(SimulatedHost host) {
        return host.root().resolve(DemoApplication.PRODUCT);
    }

    private String current(SimulatedHost host) throws IOException {
        return Files.readSymbolicLink(app(host).resolve("current")).toString();
    }

    private static void write(Path file, String content) {
        try {
            // The release's files are read-only, as unpacked: replaced, not written over.
            Files.delete(file);
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
