package org.fleetup.inventory.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The inventory and the rollout repository a test works on, in a database of the test's own, closed after it. */
abstract class InventoryFixture {

    @TempDir
    Path dir;

    InventoryDatabase database;
    JdbcInventory inventory;
    JdbcRolloutRepository repository;

    @BeforeEach
    final void openDatabase() {
        database = TestDatabases.open(dir);
        inventory = new JdbcInventory(database);
        repository = new JdbcRolloutRepository(database);
    }

    @AfterEach
    final void closeDatabase() {
        database.close();
    }

    /** A new scheduled rollout of {@code servers}, all in one wave that stops at its second error; its id. */
    final String createInOneWave(Instant created, String... servers) {
        String id = UUID.randomUUID().toString();
        repository.create(new Rollout(id, "demo-app", "2.0.0", List.of(servers), 2, false, RolloutStatus.SCHEDULED,
                created, created, null, null), List.of(new Wave(id, 1, servers.length, 1, WaveStatus.PENDING, null,
                null)));
        return id;
    }
}
