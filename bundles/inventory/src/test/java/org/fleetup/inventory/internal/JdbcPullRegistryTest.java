package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.ScheduledRelease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pull registry on a real H2 file: agents by MAC, the schedule, the moves; kept across a reopening. */
class JdbcPullRegistryTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private static PullAgentRecord check(String mac, String version, Instant at) {
        return new PullAgentRecord(mac, "10.0.0.9", "demo-app", version, at, at.plusSeconds(60), "http://ctl:8181");
    }

    @Test
    void aSecondCheckUpdatesTheAgentAndKeepsItsReport() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            registry.checked(check("02-00-00-00-00-01", "1.4.2", AT));
            registry.reported("02-00-00-00-00-01", "2.0.0", "rolled-back", "health check failed", AT);
            registry.checked(check("02-00-00-00-00-01", "1.4.2", AT.plusSeconds(5)));
            registry.checked(check("02-00-00-00-00-02", "2.0.0", AT));
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            List<PullAgentRecord> agents = new JdbcPullRegistry(database).agents();
            assertThat(agents).hasSize(2);
            assertThat(agents.get(0).lastCheck()).isEqualTo(AT.plusSeconds(5));
            assertThat(agents.get(0).status()).isEqualTo("rolled-back");
            assertThat(agents.get(0).failedVersion()).isEqualTo("2.0.0");
            assertThat(agents.get(1).version()).isEqualTo("2.0.0");
        }
    }

    @Test
    void anOfferAndADoneReportAreKept() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            registry.checked(check("02-00-00-00-00-01", "1.4.2", AT));
            registry.offered("02-00-00-00-00-01", "2.0.0");
            registry.reported("02-00-00-00-00-01", "2.0.0", "done", "health check passed", AT);

            PullAgentRecord agent = registry.agent("02-00-00-00-00-01").orElseThrow();
            assertThat(agent.offeredVersion()).isEqualTo("2.0.0");
            assertThat(agent.version()).isEqualTo("2.0.0");
            assertThat(agent.failedVersion()).isNull();
        }
    }

    @Test
    void aScheduleKeepsItsWavesAndThreshold() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            registry.schedule(new ScheduledRelease("demo-app", "2.0.0", AT, 5, 2));

            assertThat(registry.scheduled("demo-app")).contains(new ScheduledRelease("demo-app", "2.0.0", AT, 5, 2));
        }
    }

    @Test
    void aLaterScheduleReplacesTheProductsEarlierOne() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            registry.schedule(new ScheduledRelease("demo-app", "2.0.0", AT));
            registry.schedule(new ScheduledRelease("demo-app", "2.1.0", AT.plusSeconds(60)));

            assertThat(registry.schedules()).containsExactly(new ScheduledRelease("demo-app", "2.1.0",
                    AT.plusSeconds(60)));
        }
    }

    @Test
    void anAgentsOwnMoveWinsOverTheMoveOfAll() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            registry.redirect(URI.create("http://all:8181"), List.of());
            registry.redirect(URI.create("http://one:8181"), List.of("02-00-00-00-00-01"));

            assertThat(registry.redirect("02-00-00-00-00-01")).contains(URI.create("http://one:8181"));
            assertThat(registry.redirect("02-00-00-00-00-02")).contains(URI.create("http://all:8181"));
        }
    }
}
