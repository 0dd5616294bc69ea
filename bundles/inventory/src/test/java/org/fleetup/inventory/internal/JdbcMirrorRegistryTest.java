package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.pull.PullAgentRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirrors, their agents and alarms, and the primaries' sequences, on a real H2 file, across a reopening. */
class JdbcMirrorRegistryTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private static Mirror mirror(String name) {
        return new Mirror(name, URI.create("http://127.0.0.1:8182"), "ssh-ed25519 AAAA mirror", AT, null, Mirror.NEW,
                "", 0, 0);
    }

    @Test
    void aSequenceIsAcceptedOnceEvenAfterAReopening() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcMirrorRegistry registry = new JdbcMirrorRegistry(database);
            assertThat(registry.acceptSequence("SHA256:primary", 10)).isTrue();
            assertThat(registry.acceptSequence("SHA256:primary", 10)).as("replayed").isFalse();
            assertThat(registry.acceptSequence("SHA256:primary", 9)).as("older").isFalse();
            assertThat(registry.acceptSequence("SHA256:other", 1)).as("another key").isTrue();
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcMirrorRegistry registry = new JdbcMirrorRegistry(database);
            assertThat(registry.acceptSequence("SHA256:primary", 10)).as("replayed after a restart").isFalse();
            assertThat(registry.acceptSequence("SHA256:primary", 11)).isTrue();
        }
    }

    @Test
    void aMirrorKeepsItsStateAndItsNameIsTakenOnce() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcMirrorRegistry registry = new JdbcMirrorRegistry(database);
            registry.add(mirror("east"));
            assertThatThrownBy(() -> registry.add(mirror("east"))).isInstanceOf(FleetupException.class)
                    .hasMessageContaining("exists");
            registry.failed("east", 2, "refused");
            registry.syncing("east");
            assertThat(registry.mirror("east").orElseThrow().state()).as("down until a sync succeeds")
                    .isEqualTo(Mirror.DOWN);
            registry.synced("east", AT.plusSeconds(9), 1, "1 release sent");
            registry.mirrorAgents("east", List.of(new PullAgentRecord("02-00-00-00-00-01", "10.0.0.1", "demo-app",
                    "1.4.2", AT, null, "http://east:8181")));
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcMirrorRegistry registry = new JdbcMirrorRegistry(database);
            Mirror east = registry.mirror("east").orElseThrow();
            assertThat(east.state()).isEqualTo(Mirror.IN_SYNC);
            assertThat(east.failures()).isZero();
            assertThat(east.missing()).isEqualTo(1);
            assertThat(east.lastSync()).isEqualTo(AT.plusSeconds(9));
            assertThat(registry.mirrorAgents("east")).extracting(PullAgentRecord::version).containsExactly("1.4.2");
        }
    }

    @Test
    void anAlarmIsRaisedOnceAndCleared() {
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcMirrorRegistry registry = new JdbcMirrorRegistry(database);
            MirrorAlarm alarm = new MirrorAlarm("east", "demo-app", "2.0.0", AT, 2, AT.plusSeconds(5), null);
            assertThat(registry.raise(alarm)).isTrue();
            assertThat(registry.raise(new MirrorAlarm("east", "demo-app", "2.0.0", AT, 1, AT.plusSeconds(9), null)))
                    .as("open already").isFalse();
            assertThat(registry.alarms(true)).singleElement().extracting(MirrorAlarm::agentsBehind).isEqualTo(1);
            assertThat(registry.clear("east", "demo-app", AT.plusSeconds(20))).isTrue();
            assertThat(registry.alarms(true)).isEmpty();
            assertThat(registry.alarms(false)).singleElement().extracting(MirrorAlarm::clearedAt)
                    .isEqualTo(AT.plusSeconds(20));
        }
    }
}
