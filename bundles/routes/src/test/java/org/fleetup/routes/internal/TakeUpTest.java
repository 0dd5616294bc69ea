package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a controller finds in its inventory when it starts never stops it from starting. */
class TakeUpTest {

    private static final Instant CREATED = Instant.parse("2026-01-10T08:00:00Z");

    @TempDir
    Path dir;

    private TestController controller;

    @BeforeEach
    void open() {
        controller = new TestController(dir);
    }

    @AfterEach
    void close() {
        controller.close();
    }

    private static Rollout rollout(String id, RolloutStatus status, int parallelism, Instant startAt,
                                   String... servers) {
        return new Rollout(id, "demo-app", "2.0.0", List.of(servers), parallelism, false, status, CREATED, startAt,
                null, null);
    }

    @Test
    void rowsThatCannotBeTakenUpAreAbortedWithTheReasonAndTheControllerStarts() throws Exception {
        // As an earlier Fleetup saved them: a year typo, a row without a time, a row that can upgrade nothing.
        controller.repository.saveRollout(rollout("far-off", RolloutStatus.SCHEDULED, 2,
                Instant.parse("2400-01-01T00:00:00Z"), "web-01"));
        controller.repository.saveRollout(rollout("no-time", RolloutStatus.SCHEDULED, 2, null, "web-02"));
        controller.repository.saveRollout(rollout("no-slots", RolloutStatus.RUNNING, 0, CREATED, "web-03"));
        controller.repository.saveRollout(rollout("later", RolloutStatus.SCHEDULED, 2,
                Instant.now().plusSeconds(3600), "web-04"));
        try (Connection connection = DriverManager.getConnection(controller.url(), "fleetup", "test");
             Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO rollouts (id, product, version, parallelism, force, status)"
                    + " VALUES ('alien', 'demo-app', '2.0.0', 1, FALSE, 'PAUSED_BY_A_NEWER_FLEETUP')");
        }

        FleetRouting routing = controller.start();

        Rollout noTime = routing.require("no-time");
        assertThat(noTime.status()).isEqualTo(RolloutStatus.ABORTED);
        assertThat(noTime.detail()).isEqualTo("could not be taken up when the controller started: it has no start"
                + " time");
        assertThat(routing.servers("no-time")).extracting(RolloutServer::state, RolloutServer::detail)
                .containsExactly(tuple(StepState.FAILED,
                        "rollout aborted: could not be taken up when the controller started: it has no start time"));
        Rollout noSlots = routing.require("no-slots");
        assertThat(noSlots.status()).isEqualTo(RolloutStatus.ABORTED);
        assertThat(noSlots.detail()).contains("parallelism is 0");
        assertThat(routing.completion("no-slots").toCompletableFuture().getNow(null)).isEqualTo(noSlots);

        // What can be taken up is: the far-off one waits (cancel it, if it was a typo), the next one too.
        assertThat(routing.require("far-off").status()).isEqualTo(RolloutStatus.SCHEDULED);
        assertThat(routing.require("later").status()).isEqualTo(RolloutStatus.SCHEDULED);
        assertThat(routing.cancel("far-off", "tester").status()).isEqualTo(RolloutStatus.CANCELLED);
        assertThat(routing.servers("later")).as("later is waiting for its time").extracting(RolloutServer::state)
                .containsOnly(StepState.PENDING);

        try (Connection connection = DriverManager.getConnection(controller.url(), "fleetup", "test");
             Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT status FROM rollouts WHERE id = 'alien'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).as("a status it cannot read is left alone")
                    .isEqualTo("PAUSED_BY_A_NEWER_FLEETUP");
        }
    }

    @Test
    void aRolloutCancelledWhileRunningIsTakenUpByFinishingOnlyWhatWasInFlight() throws Exception {
        List<SimulatedHost> hosts = controller.servers("web", 2, "1.4.2");
        controller.release("2.0.0");
        SimulatedHost inFlight = hosts.get(0);
        SimulatedHost waiting = hosts.get(1);
        controller.repository.saveRollout(rollout("cut", RolloutStatus.CANCELLING, 2, CREATED, inFlight.name(),
                waiting.name()).withStatus(RolloutStatus.CANCELLING, null, "cancelled by tester"));
        controller.repository.saveServer(new RolloutServer("cut", inFlight.name(), StepState.TRANSFERRING, null, null,
                "sending", CREATED));

        FleetRouting routing = controller.start();
        Rollout ended = routing.completion("cut").toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(ended.status()).isEqualTo(RolloutStatus.CANCELLED);
        assertThat(routing.servers("cut")).extracting(RolloutServer::server, RolloutServer::state)
                .containsExactly(tuple(inFlight.name(), StepState.DONE), tuple(waiting.name(), StepState.SKIPPED));
        assertThat(Files.readSymbolicLink(inFlight.root().resolve("demo-app/current"))).hasToString("releases/2.0.0");
        assertThat(Files.readSymbolicLink(waiting.root().resolve("demo-app/current"))).hasToString("releases/1.4.2");
    }
}
