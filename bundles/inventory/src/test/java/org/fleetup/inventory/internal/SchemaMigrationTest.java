package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.assertj.core.groups.Tuple;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An inventory written by an older Fleetup opens, keeps its data and gains what the newer schema adds. */
class SchemaMigrationTest {

    @TempDir
    Path dir;

    @Test
    void aVersion1InventoryWithTwoRecordsForOneLoginOpensKeepsBothAndRefusesAThird() throws Exception {
        writeVersion1Inventory(
                "INSERT INTO servers (name, cluster, address, login_user, host_key, created_at, updated_at) VALUES"
                        + " ('old', 'default', 'ssh://10.0.0.1:22', 'deploy', NULL, TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00'),"
                        + " ('copy', 'default', 'ssh://10.0.0.1:22', 'deploy', NULL, TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00'),"
                        + " ('other', 'default', 'ssh://10.0.0.2:22', 'deploy', 'ssh-ed25519 AAAAOTHER',"
                        + " TIMESTAMP WITH TIME ZONE '2025-03-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2025-03-01 00:00:00+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(rows(database)).containsExactly(
                    tuple("copy", null),
                    tuple("old", "deploy@10.0.0.1:22"),
                    tuple("other", "deploy@10.0.0.2:22"));
            assertThat(versions(database)).containsExactly(1, Schema.VERSION);

            JdbcInventory inventory = new JdbcInventory(database);
            assertThat(inventory.trusted(inventory.requireServer("other"))).as("a host key of version 1 too")
                    .contains("ssh-ed25519 AAAAOTHER");
            assertThatThrownBy(() -> inventory.addServers(List.of(new Server("third", null,
                    URI.create("ssh://10.0.0.1:22"), LoginSettings.of("deploy", "/k"), null))))
                    .isInstanceOf(FleetupException.class)
                    .hasMessageContaining("'third'")
                    .hasMessageContaining("'old'");
        }
    }

    @Test
    void aLoginFreedByRemovingTheOlderRecordGoesToTheOtherAtTheNextStart() throws Exception {
        writeVersion1Inventory(
                "INSERT INTO servers (name, cluster, address, login_user, created_at, updated_at) VALUES"
                        + " ('old', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00'),"
                        + " ('copy', 'default', 'ssh://10.0.0.1:22', 'deploy', TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00')");
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            new JdbcInventory(database).removeServer("old");
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(rows(database)).containsExactly(tuple("copy", "deploy@10.0.0.1:22"));
        }
    }

    @Test
    void aVersion2InventoryKeepsItsRolloutsAndTheirServersAsActionsOfOneWave() throws Exception {
        writeInventory("schema-v2.sql",
                "INSERT INTO rollouts (id, product, version, parallelism, force, status, created_at, start_at,"
                        + " finished_at, detail) VALUES ('0a1b2c3d', 'demo-app', '2.0.0', 2, FALSE, 'FINISHED',"
                        + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2025-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2025-01-01 00:10:00+00',"
                        + " '1 failed, 1 upgraded'), ('4e5f6a7b', 'demo-app', '2.0.1', 1, FALSE, 'RUNNING',"
                        + " TIMESTAMP WITH TIME ZONE '2025-02-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2025-02-01 00:00:00+00', NULL, NULL)",
                "INSERT INTO rollout_servers (rollout, server, position, state, from_version, to_version, detail,"
                        + " updated_at) VALUES ('0a1b2c3d', 'web-02', 0, 'DONE', '1.4.2', '2.0.0', 'upgraded',"
                        + " TIMESTAMP WITH TIME ZONE '2025-01-01 00:05:00+00'), ('0a1b2c3d', 'web-01', 1, 'FAILED',"
                        + " '1.4.2', NULL, 'disk full', TIMESTAMP WITH TIME ZONE '2025-01-01 00:06:00+00'),"
                        + " ('4e5f6a7b', 'web-02', 0, 'TRANSFERRING', '2.0.0', NULL, 'sending',"
                        + " TIMESTAMP WITH TIME ZONE '2025-02-01 00:01:00+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).containsExactly(2, Schema.VERSION);
            JdbcRolloutRepository repository = new JdbcRolloutRepository(database);
            assertThat(repository.servers("0a1b2c3d"))
                    .extracting(RolloutServer::server, RolloutServer::state, RolloutServer::from, RolloutServer::to,
                            RolloutServer::detail, RolloutServer::wave)
                    .containsExactly(tuple("web-02", StepState.DONE, "1.4.2", "2.0.0", "upgraded", 1),
                            tuple("web-01", StepState.FAILED, "1.4.2", null, "disk full", 1));
            assertThat(repository.waves("0a1b2c3d")).extracting(Wave::number, Wave::size, Wave::status)
                    .containsExactly(tuple(1, 2, WaveStatus.DONE));
            assertThat(repository.waves("4e5f6a7b")).extracting(Wave::number, Wave::status, Wave::maxErrors)
                    .as("a running rollout of an older Fleetup goes on in one wave, with no threshold")
                    .containsExactly(tuple(1, WaveStatus.RUNNING, 2));
            assertThat(repository.actions("4e5f6a7b")).singleElement().satisfies(action -> {
                assertThat(UUID.fromString(action.id())).isNotNull();
                assertThat(action.step()).isEqualTo(StepState.TRANSFERRING);
                assertThat(action.leaseOwner()).isNull();
            });
            assertThat(repository.rollout("0a1b2c3d").orElseThrow().servers()).containsExactly("web-02", "web-01");
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(new JdbcRolloutRepository(database).servers("0a1b2c3d")).as("migrated once").hasSize(2);
        }
    }

    @Test
    void aVersion3InventoryKeepsItsActionsWithTheirLeasesAndJournalsAndGainsDeferral() throws Exception {
        writeInventory("schema-v3.sql",
                "INSERT INTO rollouts (id, product, version, parallelism, force, status, created_at, start_at,"
                        + " canary, wave_size, max_errors, on_error, server_order, created_by) VALUES"
                        + " ('5f0c2a51-0f4e-4f6e-9d43-3f6f0b0a1c2d', 'demo-app', '2.0.0', 2, FALSE, 'RUNNING',"
                        + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE"
                        + " '2026-01-01 00:00:00+00', '1', '25%', '10%', 'PAUSE', 'SPEED', 'karaf')",
                "INSERT INTO rollout_waves (rollout, number, size, max_errors, status, started_at) VALUES"
                        + " ('5f0c2a51-0f4e-4f6e-9d43-3f6f0b0a1c2d', 1, 2, 1, 'RUNNING', TIMESTAMP WITH TIME ZONE"
                        + " '2026-01-01 00:00:00+00')",
                "INSERT INTO rollout_actions (id, rollout, wave, position, server, step, from_version, detail,"
                        + " attempt, lease_owner, lease_until, fence, journal, updated_at, held_server) VALUES"
                        + " ('0b0c0d0e-0000-4000-8000-000000000001', '5f0c2a51-0f4e-4f6e-9d43-3f6f0b0a1c2d', 1, 0,"
                        + " 'web-01', 'TRANSFERRING', '1.0.0', 'sending', 1, 'ctl/old', TIMESTAMP WITH TIME ZONE"
                        + " '2026-01-01 00:01:00+00', 3, 'staging=/tmp/s\n', TIMESTAMP WITH TIME ZONE"
                        + " '2026-01-01 00:00:30+00', 'web-01'), ('0b0c0d0e-0000-4000-8000-000000000002',"
                        + " '5f0c2a51-0f4e-4f6e-9d43-3f6f0b0a1c2d', 1, 1, 'web-02', 'PENDING', NULL, NULL, 0, NULL,"
                        + " NULL, 0, NULL, NULL, 'web-02')",
                "INSERT INTO server_links (server, bytes, took_nanos, measured_at) VALUES ('web-01', 2000000,"
                        + " 1000000000, TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:40+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).containsExactly(3, Schema.VERSION);
            JdbcRolloutRepository repository = new JdbcRolloutRepository(database);
            String rollout = "5f0c2a51-0f4e-4f6e-9d43-3f6f0b0a1c2d";
            assertThat(repository.actions(rollout))
                    .extracting(RolloutAction::server, RolloutAction::step, RolloutAction::from,
                            RolloutAction::leaseOwner, RolloutAction::fence, RolloutAction::journal,
                            RolloutAction::notBefore)
                    .containsExactly(tuple("web-01", StepState.TRANSFERRING, "1.0.0", "ctl/old", 3L,
                                    Map.of("staging", "/tmp/s"), null),
                            tuple("web-02", StepState.PENDING, null, null, 0L, Map.of(), null));
            assertThat(repository.transferRates()).containsExactly(Map.entry("web-01", 2e6));
            assertThat(repository.roundTrips()).isEmpty();

            Instant now = Instant.parse("2026-01-01T00:02:00Z");
            RolloutAction claimed = repository.claim("0b0c0d0e-0000-4000-8000-000000000001", "ctl/new", now,
                    now.plusSeconds(30)).orElseThrow();
            assertThat(claimed.fence()).isEqualTo(4);
            repository.defer(claimed.id(), claimed.fence(), now.plusSeconds(3600), "waits");
            assertThat(repository.claim(claimed.id(), "ctl/new", now.plusSeconds(60), now.plusSeconds(90)))
                    .isEmpty();
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).as("migrated once").containsExactly(3, Schema.VERSION);
        }
    }

    @Test
    void aVersion4InventoryKeepsItsServersAndGainsThePullRegistry() throws Exception {
        writeInventory("schema-v4.sql", "INSERT INTO servers (name, cluster, address, created_at, updated_at) VALUES"
                + " ('web-01', 'default', 'ssh://deploy@10.0.0.1:22', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00',"
                + " TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).containsExactly(4, Schema.VERSION);
            assertThat(new JdbcInventory(database).server("web-01")).isPresent();
            JdbcPullRegistry registry = new JdbcPullRegistry(database);
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            registry.checked(new PullAgentRecord("02-00-00-00-00-01", "10.0.0.9", "demo-app",
                    "1.4.2", at, at.plusSeconds(60), "http://ctl:8181"));
            registry.schedule(new ScheduledRelease("demo-app", "2.0.0", at.plusSeconds(30)));
            assertThat(registry.agents()).extracting(PullAgentRecord::mac,
                    PullAgentRecord::version).containsExactly(tuple("02-00-00-00-00-01",
                    "1.4.2"));
            assertThat(registry.scheduled("demo-app")).map(ScheduledRelease::version)
                    .contains("2.0.0");
        }
    }

    /** Version 6 keeps what is trusted of a server apart from its record, for the scheme of its address. */
    @Test
    void aVersion5InventoryKeepsEveryServersLoginAndHostKeyNowTrustedForItsTransport() throws Exception {
        String at = "TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00'";
        writeInventory("schema-v5.sql", "INSERT INTO servers (name, cluster, address, login_user, key_file, host_key,"
                + " login_key, created_at, updated_at) VALUES"
                + " ('web-01', 'web', 'ssh://10.0.0.1:22', 'deploy', '/keys/web', 'ssh-ed25519 AAAAWEB', NULL, " + at
                + ", " + at + "),"
                + " ('files-01', 'default', 'sftp://10.0.0.2:2222', 'files', '/keys/files', 'SHA256:files', NULL, "
                + at + ", " + at + "),"
                + " ('agent-01', 'default', 'https://10.0.0.3:8650', NULL, NULL, 'SHA256:pin', NULL, " + at + ", "
                + at + "),"
                + " ('new-01', 'default', 'ssh://10.0.0.4:22', 'deploy', '/keys/web', NULL, NULL, " + at + ", " + at
                + ")");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(versions(database)).containsExactly(5, Schema.VERSION);
            JdbcInventory inventory = new JdbcInventory(database);
            assertThat(inventory.servers(null)).extracting(Server::name, Server::cluster, Server::address,
                    LoginSettings::user, LoginSettings::keyFile).containsExactly(
                    tuple("agent-01", "default", URI.create("https://10.0.0.3:8650"), null, null),
                    tuple("files-01", "default", URI.create("sftp://10.0.0.2:2222"), "files", "/keys/files"),
                    tuple("new-01", "default", URI.create("ssh://10.0.0.4:22"), "deploy", "/keys/web"),
                    tuple("web-01", "web", URI.create("ssh://10.0.0.1:22"), "deploy", "/keys/web"));
            assertThat(inventory.servers(null)).extracting(server -> inventory.trusted(server).orElse(null))
                    .containsExactly("SHA256:pin", "SHA256:files", null, "ssh-ed25519 AAAAWEB");
            assertThat(rows(database)).as("every login keyed as before").containsExactly(
                    tuple("agent-01", "@10.0.0.3:8650"), tuple("files-01", "files@10.0.0.2:2222"),
                    tuple("new-01", "deploy@10.0.0.4:22"), tuple("web-01", "deploy@10.0.0.1:22"));
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcInventory inventory = new JdbcInventory(database);
            inventory.trust(inventory.requireServer("web-01"), "ssh-ed25519 AAAANEW");
        }
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(new JdbcInventory(database).trusted(new JdbcInventory(database).requireServer("web-01")))
                    .as("a later start copies no old host key over a newer trust").contains("ssh-ed25519 AAAANEW");
            assertThat(versions(database)).containsExactly(5, Schema.VERSION);
        }
    }

    @Test
    void controllersStartedTogetherOnANewDatabaseMigrateItOnce() throws Exception {
        assumeTrue(TestDatabases.postgresql(), "several controllers share PostgreSQL only: H2's file is one process's");
        int controllers = 6;
        ExecutorService threads = Executors.newFixedThreadPool(controllers);
        CountDownLatch ready = new CountDownLatch(controllers);
        List<CompletableFuture<InventoryDatabase>> opened = new ArrayList<>();
        try {
            for (int i = 0; i < controllers; i++) {
                opened.add(CompletableFuture.supplyAsync(() -> {
                    ready.countDown();
                    try {
                        ready.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return TestDatabases.open(dir);
                }, threads));
            }
            CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(opened).as("every controller open").allSatisfy(database -> assertThat(database).isDone());
            assertThat(versions(opened.get(0).get())).as("one migration, recorded once").containsExactly(Schema.VERSION);
            assertThat(changeSets(opened.get(0).get())).as("each changeset run once, by one controller")
                    .extracting(ChangeSet::id).containsExactlyElementsOf(CHANGESETS);
            List<Boolean> locked = opened.get(0).get().run("read Liquibase's lock", connection -> select(connection,
                    "SELECT locked FROM databasechangeloglock", row -> row.getBoolean(1)));
            assertThat(locked).as("the lock released").containsExactly(false);
        } finally {
            for (CompletableFuture<InventoryDatabase> database : opened) {
                database.thenAccept(InventoryDatabase::close);
            }
            threads.shutdownNow();
        }
    }

    /**
     * Controllers are JVMs of their own, each with its own Liquibase: only Liquibase's lock, in the database, keeps
     * them from migrating together. Here on an inventory of the last Fleetup before Liquibase, which has none of
     * Liquibase's tables: they create them together too.
     */
    @Test
    void controllersInJvmsOfTheirOwnStartedTogetherMigrateOnceUnderLiquibasesLock() throws Exception {
        assumeTrue(TestDatabases.postgresql(), "several controllers share PostgreSQL only: H2's file is one process's");
        writeInventory("schema-v9.sql");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> controllers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                controllers.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                        OpenInventory.class.getName(), TestDatabases.url(dir))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("controller-" + i + ".log").toFile())
                        .start());
            }
            for (int i = 0; i < controllers.size(); i++) {
                assertThat(controllers.get(i).waitFor(120, TimeUnit.SECONDS)).as("controller %d done", i).isTrue();
                assertThat(controllers.get(i).exitValue()).as("controller %d opened the inventory: %s", i,
                        Files.readString(dir.resolve("controller-" + i + ".log"))).isZero();
            }
        } finally {
            controllers.forEach(Process::destroyForcibly);
        }

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            List<ChangeSet> changeSets = changeSets(database);
            assertThat(changeSets).extracting(ChangeSet::id).as("each changeset once")
                    .containsExactlyElementsOf(CHANGESETS);
            List<String> deployments = database.run("read Liquibase's record", connection -> select(connection,
                    "SELECT DISTINCT deployment_id FROM databasechangelog", row -> row.getString(1)));
            assertThat(deployments).as("all of them by one controller's update").hasSize(1);
            assertThat(versions(database)).containsExactly(Schema.VERSION);
        }
    }

    /**
     * Liquibase's first start on a shared database empties its lock table before it inserts the row, and a controller
     * a moment late deleted the lock that another had just taken (CI saw it: the first one, releasing, was told "0 rows
     * were updated"). The table is made before Liquibase starts, by statements that insert and never delete.
     */
    @Test
    void controllersMakingLiquibasesLockTableTogetherMakeOneRowAndNeverTakeAHeldLock() throws Exception {
        int controllers = 4;
        ExecutorService threads = Executors.newFixedThreadPool(controllers);
        try {
            CyclicBarrier together = new CyclicBarrier(controllers);
            List<Future<Void>> made = new ArrayList<>();
            for (int i = 0; i < controllers; i++) {
                made.add(threads.submit(() -> {
                    try (Connection connection = TestDatabases.connect(dir)) {
                        together.await(30, TimeUnit.SECONDS);
                        Schema.createLockTable(connection);
                    }
                    return null;
                }));
            }
            for (Future<Void> each : made) {
                each.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(lockRows()).as("one row, free").containsExactly("1 false null");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(changeSets(database)).as("Liquibase took the table for its own")
                    .extracting(ChangeSet::id).containsExactlyElementsOf(CHANGESETS);
        }
        execute("UPDATE databasechangeloglock SET locked = TRUE, lockedby = 'another controller' WHERE id = 1");
        try (Connection connection = TestDatabases.connect(dir)) {
            Schema.createLockTable(connection);
        }
        assertThat(lockRows()).as("the other controller's lock kept").containsExactly("1 true another controller");
    }

    private List<String> lockRows() throws SQLException {
        try (Connection connection = TestDatabases.connect(dir)) {
            return select(connection, "SELECT id, locked, lockedby FROM databasechangeloglock",
                    row -> row.getInt(1) + " " + row.getBoolean(2) + " " + row.getString(3));
        }
    }

    @Test
    void aControllerThatLostTheRaceForLiquibasesLockTriesAgainAndNothingElseIsTakenForIt() {
        String lost = "Did not update change log lock correctly.\n\n0 rows were updated instead of the expected 1 row";

        assertThat(Schema.lostTheLockRace(new liquibase.exception.CommandExecutionException(
                new liquibase.exception.LockException(new liquibase.exception.LockException(lost))))).isTrue();
        assertThat(Schema.lostTheLockRace(new liquibase.exception.LockException(
                lost.replace("0 rows", "2 rows")))).isFalse();
        assertThat(Schema.lostTheLockRace(new liquibase.exception.LockException("Could not acquire change log lock")))
                .isFalse();
        assertThat(Schema.lostTheLockRace(new IllegalStateException(lost))).isFalse();
    }

    @Test
    void aControllerStartingBesideOthersAtWorkOnACurrentSchemaWaitsForNoneOfThem() throws Exception {
        TestDatabases.open(dir).close();
        try (Connection other = TestDatabases.connect(dir);
             Statement statement = other.createStatement()) {
            // another controller's transaction in flight, on a table that the schema script alters
            other.setAutoCommit(false);
            statement.executeUpdate("INSERT INTO servers (name, cluster, address, created_at, updated_at) VALUES"
                    + " ('busy', 'default', 'ssh://10.0.0.9:22', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)");
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                CompletableFuture<InventoryDatabase> opened = CompletableFuture.supplyAsync(
                        () -> TestDatabases.open(dir), thread);

                assertThat(opened).as("opened while the other transaction runs").succeedsWithin(Duration.ofSeconds(10))
                        .satisfies(InventoryDatabase::close);
            } finally {
                other.rollback();
                thread.shutdownNow();
            }
        }
    }

    @Test
    void aSecondStartRunsNoChangesetAgain() {
        List<ChangeSet> first;
        try (InventoryDatabase database = TestDatabases.open(dir)) {
            first = changeSets(database);
        }
        assertThat(first).extracting(ChangeSet::id).containsExactlyElementsOf(CHANGESETS);
        assertThat(first).extracting(ChangeSet::type).as("a new database: every changeset runs, the data ones on"
                + " empty tables").containsOnly("EXECUTED");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(changeSets(database)).as("nothing run, nothing recorded").isEqualTo(first);
            assertThat(versions(database)).containsExactly(Schema.VERSION);
        }
    }

    @Test
    void theChangeSetsLiquibaseRunsAreTheOnesARestartLooksFor() throws SQLException {
        assertThat(Schema.changeSets()).containsExactlyInAnyOrderElementsOf(
                CHANGESETS.stream().map(id -> id + "::fleetup").toList());
    }

    /** Liquibase makes its lock table whenever it runs: that it is not made again tells that Liquibase did not run. */
    @Test
    void aStartFindingEveryChangeSetRecordedLeavesLiquibaseOut() throws SQLException {
        TestDatabases.open(dir).close();
        execute("DROP TABLE databasechangeloglock");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(tables(database)).as("Liquibase ran").doesNotContain("DATABASECHANGELOGLOCK");
            assertThat(versions(database)).containsExactly(Schema.VERSION);
        }
    }

    @Test
    void aChangeSetNotRecordedBringsLiquibaseBackToRunIt() throws SQLException {
        TestDatabases.open(dir).close();
        execute("DROP TABLE databasechangeloglock");
        execute("DELETE FROM databasechangelog WHERE id = '9-rollout-of-schedule'");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            assertThat(tables(database)).as("Liquibase ran").contains("DATABASECHANGELOGLOCK");
            assertThat(changeSets(database)).extracting(ChangeSet::id).containsExactlyInAnyOrderElementsOf(CHANGESETS);
            assertThat(versions(database)).containsExactly(Schema.VERSION);
        }
    }

    /**
     * A controller killed in a migration leaves Liquibase's lock held, and that lock has no expiry: in the embedded H2
     * file, which no other process can have open, the next start releases it and migrates, where Liquibase would wait
     * five minutes and then fail.
     */
    @Test
    void aLockThatAMigrationKilledMidwayLeftInTheH2FileIsReleasedAndTheMigrationRunsAgain() throws SQLException {
        assumeTrue(TestDatabases.h2(), "a PostgreSQL inventory is shared: a lock held there may be another's");
        TestDatabases.open(dir).close();
        execute("DELETE FROM databasechangelog WHERE id = '9-rollout-of-schedule'");
        execute("UPDATE databasechangeloglock SET locked = TRUE, lockgranted = CURRENT_TIMESTAMP,"
                + " lockedby = 'a controller killed in its migration' WHERE id = 1");

        CompletableFuture<InventoryDatabase> opened = CompletableFuture.supplyAsync(() -> TestDatabases.open(dir));

        assertThat(opened).as("opened without waiting out the lock").succeedsWithin(Duration.ofSeconds(60))
                .satisfies(database -> {
                    try {
                        assertThat(changeSets(database)).extracting(ChangeSet::id)
                                .containsExactlyInAnyOrderElementsOf(CHANGESETS);
                        List<Boolean> locked = database.run("read Liquibase's lock", connection -> select(
                                connection, "SELECT locked FROM databasechangeloglock", row -> row.getBoolean(1)));
                        assertThat(locked).as("the lock released after the migration").containsExactly(false);
                    } finally {
                        database.close();
                    }
                });
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = TestDatabases.connect(dir); Statement statement = connection.createStatement()) {
            statement.executeUpdate(sql);
        }
    }

    private static List<String> tables(InventoryDatabase database) {
        // H2 names them in capitals, PostgreSQL in lower case
        List<String> tables = database.run("list the tables", connection -> select(connection,
                "SELECT UPPER(table_name) FROM information_schema.tables WHERE UPPER(table_schema) = 'PUBLIC'",
                row -> row.getString(1)));
        assertThat(tables).as("the inventory's tables").contains("SCHEMA_VERSION", "DATABASECHANGELOG");
        return tables;
    }

    /** The last Fleetup before Liquibase: its tables are current, so only what is due for its version runs. */
    @Test
    void aVersion9InventoryOfTheLastFleetupBeforeLiquibaseKeepsItsRowsAndMigratesNoDataAgain() throws Exception {
        String at = "TIMESTAMP WITH TIME ZONE '2026-06-01 00:00:00+00'";
        writeInventory("schema-v9.sql", "INSERT INTO servers (name, cluster, address, login_user, host_key,"
                        + " login_key, created_at, updated_at) VALUES ('web-01', 'web', 'ssh://10.0.0.1:22', 'deploy',"
                        + " 'ssh-ed25519 AAAAOLD', 'deploy@10.0.0.1:22', " + at + ", " + at + ")",
                "INSERT INTO rollouts (id, product, version, parallelism, force, status, created_at) VALUES"
                        + " ('r1', 'demo-app', '2.0.0', 1, FALSE, 'FINISHED', " + at + ")",
                "INSERT INTO rollout_servers (rollout, server, position, state) VALUES ('r1', 'web-01', 0, 'DONE')");

        try (InventoryDatabase database = TestDatabases.open(dir)) {
            JdbcInventory inventory = new JdbcInventory(database);
            assertThat(inventory.server("web-01")).isPresent();
            assertThat(inventory.trusted(inventory.requireServer("web-01")))
                    .as("the trust a version 6 or later removed is not brought back from the old column").isEmpty();
            assertThat(new JdbcRolloutRepository(database).actions("r1"))
                    .as("rollout_servers, written no more since version 3, not read again").isEmpty();
            assertThat(changeSets(database)).filteredOn(changeSet -> changeSet.type().equals("MARK_RAN"))
                    .extracting(ChangeSet::id)
                    .containsExactly("3-actions-from-rollout-servers", "6-trust-from-host-keys");
            assertThat(versions(database)).containsExactly(Schema.VERSION);
        }
    }

    /** A database as Fleetup wrote it at schema version 1, holding {@code rows}. */
    private void writeVersion1Inventory(String rows) throws Exception {
        writeInventory("schema-v1.sql", rows);
    }

    /**
     * A database as Fleetup wrote it with {@code schema}, holding {@code rows}: in H2 as it was; in PostgreSQL, the
     * same script with its types, as if that Fleetup had run on it.
     */
    private void writeInventory(String schema, String... rows) throws Exception {
        try (Connection connection = TestDatabases.connect(dir);
             Statement statement = connection.createStatement()) {
            Dialect dialect = Dialect.of(connection.getMetaData().getDatabaseProductName());
            for (String sql : statements(dialect.sql(read(schema)))) {
                statement.execute(sql);
            }
            if (!schema.equals("schema-v1.sql")) {
                try (PreparedStatement version = connection.prepareStatement("INSERT INTO schema_version (version,"
                        + " applied_at) VALUES (" + schema.replaceAll("\\D", "") + ", CURRENT_TIMESTAMP)")) {
                    version.executeUpdate();
                }
            }
            for (String insert : rows) {
                statement.executeUpdate(insert);
            }
        }
    }

    private static List<Tuple> rows(InventoryDatabase database) {
        return database.run("read the servers", connection -> {
            List<Tuple> rows = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT name, login_key FROM servers ORDER BY name");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    rows.add(tuple(row.getString(1), row.getString(2)));
                }
            }
            return rows;
        });
    }

    private static List<Integer> versions(InventoryDatabase database) {
        return database.run("read the schema versions", connection -> {
            List<Integer> versions = new ArrayList<>();
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT version FROM schema_version ORDER BY version");
                 ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    versions.add(row.getInt(1));
                }
            }
            return versions;
        });
    }

    /** The changesets of changelog.xml, in their order. */
    private static final List<String> CHANGESETS = List.of("1-tables", "2-login-key", "3-rollout-engine",
            "3-actions-from-rollout-servers", "4-deferral-and-round-trips", "5-pull-agents", "6-server-trust",
            "6-trust-from-host-keys", "7-mirrors", "8-controllers", "9-rollout-of-schedule", "9-record-version");

    /** A changeset as Liquibase recorded it: how it ended (EXECUTED, MARK_RAN), when, and in which order. */
    private record ChangeSet(String id, String type, Instant at, int order) {
    }

    private static List<ChangeSet> changeSets(InventoryDatabase database) {
        return database.run("read Liquibase's record", connection -> select(connection,
                "SELECT id, exectype, dateexecuted, orderexecuted FROM databasechangelog ORDER BY orderexecuted, id",
                row -> new ChangeSet(row.getString(1), row.getString(2), row.getTimestamp(3).toInstant(),
                        row.getInt(4))));
    }

    private static <T> List<T> select(Connection connection, String sql, InventoryDatabase.Row<T> row)
            throws SQLException {
        return InventoryDatabase.select(connection, sql, row);
    }

    /** A script of this module's: the schema an older Fleetup wrote. */
    private static String read(String resource) throws Exception {
        try (InputStream script = SchemaMigrationTest.class.getResourceAsStream(resource)) {
            return new String(script.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * The statements of a script as the inventory wrote them: {@code --} comments on lines of their own, each
     * statement ended by a {@code ;} at the end of a line.
     */
    private static List<String> statements(String script) {
        String code = script.lines().filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(code.split(";\\s*(\\n|$)")).map(String::strip)
                .filter(sql -> !sql.isEmpty()).toList();
    }
}
