package org.fleetup.patch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primary's sync of real mirrors over HTTP on 127.0.0.1 ({@link TestMirrorServer}): releases content-addressed
 * (only the blobs a mirror lacks travel, from where a transfer broke off), the schedule handed over, agents merged by
 * MAC both ways, the overdue alarm raised and cleared, answers checked against the pinned key.
 */
class MirrorSyncTest {

    private static final String A = "02-00-00-00-00-0a";
    private static final String B = "02-00-00-00-00-0b";

    @TempDir
    Path dir;

    final KeyPair primaryKeys = OrderSigner.generateKeys();
    final MemoryPullRegistry pull = new MemoryPullRegistry();
    final MemoryMirrorRegistry mirrors = new MemoryMirrorRegistry();
    final MemoryStore store = new MemoryStore();
    private TestMirrorServer east;
    private TestMirrorServer west;

    @AfterEach
    void stop() {
        for (TestMirrorServer server : new TestMirrorServer[] {east, west}) {
            if (server != null) {
                server.close();
            }
        }
    }

    TrustedKeys primaryTrust() {
        return TrustedKeys.parse(List.of(TrustedKeys.openSshLine(primaryKeys.getPublic(), "primary")));
    }

    MirrorSync sync(Duration grace) {
        MirrorClient client = new MirrorClient(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
                new MirrorSigning(primaryKeys.getPrivate(), primaryKeys.getPublic()), TestMirrorServer.API,
                Duration.ofSeconds(5), Clock.systemUTC(), TestMirrorServer.json());
        return new MirrorSync(mirrors, pull, store, new AgentMerge(new DefaultVersionSchemes().scheme("semantic")),
                client, new MirrorSync.Settings(Duration.ofSeconds(30), Duration.ofSeconds(1), Duration.ofSeconds(8),
                grace, 1000), Clock.systemUTC(), TestMirrorServer.json());
    }

    Mirror add(String name, TestMirrorServer server) {
        Mirror mirror = new Mirror(name, server.url(), server.publicLine(), Instant.now(), null, Mirror.NEW, "", 0, 0);
        mirrors.add(mirror);
        return mirror;
    }

    Release release(String version, int bytes) {
        byte[] content = new byte[bytes];
        Arrays.fill(content, (byte) version.charAt(0));
        return store.add("demo-app", version, "application", "demo-app-" + version + ".tar.gz",
                new ByteArrayInputStream(content));
    }

    static PullAgentRecord agent(String mac, String version) {
        return new PullAgentRecord(mac, "10.0.0.1", "demo-app", version, Instant.now(), null, "http://east:8181");
    }

    @Test
    void onlyTheMissingBlobsTravelAndTheMirrorHoldsTheReleasesAndTheSchedule() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        Release held = release("1.4.2", 2500);
        Release missing = release("2.0.0", 3500);
        east.store.add("demo-app", "1.4.2", "application", held.fileName(),
                new ByteArrayInputStream(store.blobs.get(held.sha256())));
        ScheduledRelease schedule = new ScheduledRelease("demo-app", "2.0.0", Instant.parse("2026-12-01T03:00:00Z"));
        pull.schedule(schedule);
        add("east", east);

        Mirror synced = sync(Duration.ZERO).sync("east");

        assertThat(synced.state()).as(synced.detail()).isEqualTo(Mirror.IN_SYNC);
        assertThat(synced.missing()).isZero();
        assertThat(east.store.find("demo-app", "2.0.0")).get().extracting(Release::sha256)
                .isEqualTo(missing.sha256());
        assertThat(east.store.blobs.get(missing.sha256())).isEqualTo(store.blobs.get(missing.sha256()));
        assertThat(east.requests).filteredOn(r -> r.startsWith("PUT")).containsExactly(
                MirrorClient.blobResource(missing.sha256(), 0, 3500),
                MirrorClient.blobResource(missing.sha256(), 1000, 3500),
                MirrorClient.blobResource(missing.sha256(), 2000, 3500),
                MirrorClient.blobResource(missing.sha256(), 3000, 3500));
        assertThat(east.published).as("published on the mirror, a rollout of its agents")
                .containsExactly(schedule.withRollout("mirror-rollout-1"));
        assertThat(east.pull.scheduled("demo-app")).contains(schedule.withRollout("mirror-rollout-1"));
        assertThat(sync(Duration.ZERO).sync("east").state()).isEqualTo(Mirror.IN_SYNC);
        assertThat(east.published).as("the same schedule again is not published again").hasSize(1);
        assertThat(Files.list(dir.resolve("east")).toList()).as("nothing left in the mirror's incoming").isEmpty();
    }

    @Test
    void aTransferBrokenOffResumesWhereTheMirrorStopped() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        Release release = release("2.0.0", 3500);
        Files.createDirectories(dir.resolve("east"));
        Files.write(dir.resolve("east").resolve(release.sha256() + ".part"),
                Arrays.copyOf(store.blobs.get(release.sha256()), 2200));
        add("east", east);

        sync(Duration.ZERO).sync("east");

        assertThat(east.requests).filteredOn(r -> r.startsWith("PUT")).containsExactly(
                MirrorClient.blobResource(release.sha256(), 2200, 3500),
                MirrorClient.blobResource(release.sha256(), 3200, 3500));
        assertThat(east.store.find("demo-app", "2.0.0")).get().extracting(Release::sha256)
                .isEqualTo(release.sha256());
    }

    @Test
    void aNewerVersionAMirrorKnowsIsTakenByThePrimaryAndPassedOnToTheOtherMirrors() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        west = new TestMirrorServer(dir.resolve("west"), primaryTrust());
        pull.checked(agent(A, "1.4.2"));
        east.pull.checked(agent(A, "2.0.0"));
        east.pull.checked(agent(B, "1.4.2"));
        west.pull.checked(agent(A, "1.0.0"));
        add("east", east);
        add("west", west);
        MirrorSync sync = sync(Duration.ZERO);

        sync.sync("east");
        sync.sync("west");

        assertThat(pull.agent(A)).get().extracting(PullAgentRecord::version).isEqualTo("2.0.0");
        assertThat(pull.agent(B)).get().extracting(PullAgentRecord::version).isEqualTo("1.4.2");
        assertThat(west.pull.agent(A)).get().extracting(PullAgentRecord::version).as("passed on").isEqualTo("2.0.0");
        assertThat(west.pull.agent(B)).get().extracting(PullAgentRecord::version).isEqualTo("1.4.2");
        assertThat(mirrors.mirrorAgents("east")).extracting(PullAgentRecord::mac).containsExactly(A, B);
    }

    @Test
    void anOverdueReleaseRaisesAnAlarmThatANewTimeClears() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        release("2.0.0", 100);
        east.pull.checked(agent(B, "1.4.2"));
        add("east", east);
        Instant past = Instant.now().minusSeconds(60);
        pull.schedule(new ScheduledRelease("demo-app", "2.0.0", past));
        MirrorSync sync = sync(Duration.ofSeconds(10));

        sync.sync("east");
        assertThat(mirrors.alarms(true)).singleElement().satisfies(alarm -> {
            assertThat(alarm.mirror()).isEqualTo("east");
            assertThat(alarm.version()).isEqualTo("2.0.0");
            assertThat(alarm.scheduledAt()).isEqualTo(past);
            assertThat(alarm.agentsBehind()).isEqualTo(1);
        });

        Instant later = Instant.now().plusSeconds(3600);
        pull.schedule(new ScheduledRelease("demo-app", "2.0.0", later));
        sync.sync("east");

        assertThat(mirrors.alarms(true)).isEmpty();
        assertThat(mirrors.alarms(false)).singleElement().extracting(MirrorAlarm::clearedAt).isNotNull();
        assertThat(east.pull.scheduled("demo-app")).get().extracting(ScheduledRelease::at).as("distributed")
                .isEqualTo(later);
    }

    @Test
    void aMirrorAnsweringWithAnotherKeyIsRefusedAndTakesNothing() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        east.pull.checked(agent(A, "9.9.9"));
        String otherKey = TrustedKeys.openSshLine(OrderSigner.generateKeys().getPublic(), "impostor");
        mirrors.add(new Mirror("east", east.url(), otherKey, Instant.now(), null, Mirror.NEW, "", 0, 0));

        Mirror mirror = sync(Duration.ZERO).sync("east");

        assertThat(mirror.state()).isEqualTo(Mirror.DOWN);
        assertThat(mirror.detail()).contains("not signed by its pinned key");
        assertThat(pull.agent(A)).isEmpty();
    }

    @Test
    void aMirrorThatDoesNotTrustThePrimaryRefusesItsWrites() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), TrustedKeys.parse(List.of(TrustedKeys.openSshLine(
                OrderSigner.generateKeys().getPublic(), "another primary"))));
        release("2.0.0", 100);
        pull.schedule(new ScheduledRelease("demo-app", "2.0.0", Instant.now()));
        add("east", east);

        Mirror mirror = sync(Duration.ZERO).sync("east");

        assertThat(mirror.state()).isEqualTo(Mirror.DOWN);
        assertThat(mirror.detail()).contains("HTTP 403").contains("not one of this mirror's primary keys");
        assertThat(east.pull.scheduled("demo-app")).isEmpty();
        assertThat(east.store.list()).isEmpty();
    }

    @Test
    void aMirrorIsAddedOnlyWhenItAnswersWithTheKeyNamedAndAcceptsThePrimary() throws Exception {
        east = new TestMirrorServer(dir.resolve("east"), primaryTrust());
        west = new TestMirrorServer(dir.resolve("west"), TrustedKeys.parse(List.of(TrustedKeys.openSshLine(
                OrderSigner.generateKeys().getPublic(), "another primary"))));
        MirrorSync sync = sync(Duration.ZERO);
        String otherKey = TrustedKeys.openSshLine(OrderSigner.generateKeys().getPublic(), "impostor");

        assertThatThrownBy(() -> sync.add("east", east.url(), otherKey)).isInstanceOf(FleetupException.class)
                .hasMessageContaining("not signed by its pinned key");
        assertThatThrownBy(() -> sync.add("west", west.url(), west.publicLine())).isInstanceOf(FleetupException.class)
                .hasMessageContaining("refused this primary").hasMessageContaining("primaryKeys");
        assertThatThrownBy(() -> sync.add("east", east.url(), "not a key")).isInstanceOf(FleetupException.class)
                .hasMessageContaining("fleet:agent-key");
        assertThat(mirrors.mirrors()).isEmpty();

        Mirror added = sync.add("east", east.url(), east.publicLine());

        assertThat(added.publicKey()).isEqualTo(east.publicLine());
        assertThat(mirrors.mirrors()).extracting(Mirror::name).containsExactly("east");
        assertThat(sync.nextAttempt("east")).as("due at once").isNull();
        assertThatThrownBy(() -> sync.add("east", east.url(), east.publicLine())).isInstanceOf(FleetupException.class)
                .hasMessageContaining("exists");
    }

    @Test
    void anUnknownMirrorIsABadName() {
        assertThatThrownBy(() -> sync(Duration.ZERO).sync("nowhere")).isInstanceOf(FleetupException.class)
                .hasMessageContaining("fleet:mirror-list");
    }
}
