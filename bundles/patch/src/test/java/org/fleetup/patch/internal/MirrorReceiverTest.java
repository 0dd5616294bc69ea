package org.fleetup.patch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.pull.ScheduledRelease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror accepts a write only from a primary key it trusts, signed over exactly what it does, fresh, and once: a
 * replayed, tampered, stale or foreign request is refused before it changes anything, and every answer is signed by
 * the mirror for the request it answers. Blobs are verified by their SHA-256 when complete.
 */
class MirrorReceiverTest {

    @TempDir
    Path dir;

    private final KeyPair primary = OrderSigner.generateKeys();
    private final MirrorSigning signing = new MirrorSigning(primary.getPrivate(), primary.getPublic());
    private TestMirrorServer mirror;
    private long sequence = 1000;

    @BeforeEach
    void start() throws Exception {
        mirror = new TestMirrorServer(dir.resolve("incoming"), TrustedKeys.parse(List.of(TrustedKeys.openSshLine(
                primary.getPublic(), "primary"))));
    }

    @AfterEach
    void stop() {
        mirror.close();
    }

    /** A signed sync request that schedules demo-app/{@code version} at {@code at}. */
    private record Signed(String resource, String keyId, String sequence, String timestamp, String signature,
                          byte[] body) {
    }

    private Signed schedule(MirrorSigning by, String version, Instant at, Instant signedAt) throws Exception {
        byte[] body = TestMirrorServer.json().writeValueAsBytes(new MirrorMessages.SyncRequest(List.of(),
                List.of(MirrorMessages.ScheduleEntry.of(new ScheduledRelease("demo-app", version, at))), List.of()));
        long number = ++sequence;
        return new Signed("POST sync", by.keyId(), Long.toString(number), signedAt.toString(),
                by.sign(MirrorSigning.request("POST sync", by.keyId(), number, signedAt, body)), body);
    }

    private MirrorReceiver.Reply send(Signed request) {
        return mirror.receiver.handle(request.resource(), request.keyId(), request.sequence(), request.timestamp(),
                request.signature(), request.body(), () -> mirror.receiver.sync(mirror.receiver.syncRequest(
                        request.body())));
    }

    @Test
    void aSignedFreshRequestIsAcceptedAndItsAnswerSignedForIt() throws Exception {
        Instant at = Instant.parse("2026-12-01T03:00:00Z");
        Signed request = schedule(signing, "2.0.0", at, Instant.now());

        MirrorReceiver.Reply reply = send(request);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(mirror.pull.scheduled("demo-app")).get().extracting(ScheduledRelease::at).isEqualTo(at);
        assertThat(MirrorSigning.verify(mirror.keys.getPublic(), MirrorSigning.reply(request.signature(), 200,
                reply.body()), reply.signature())).isTrue();
        assertThat(MirrorSigning.verify(mirror.keys.getPublic(), MirrorSigning.reply("another request", 200,
                reply.body()), reply.signature())).as("bound to its request").isFalse();
    }

    @Test
    void aReplayedRequestIsRefusedAndChangesNothing() throws Exception {
        Signed first = schedule(signing, "2.0.0", Instant.parse("2026-12-01T03:00:00Z"), Instant.now());
        Signed second = schedule(signing, "2.0.1", Instant.parse("2026-12-02T03:00:00Z"), Instant.now());
        assertThat(send(first).status()).isEqualTo(200);
        assertThat(send(second).status()).isEqualTo(200);

        MirrorReceiver.Reply replayed = send(first);

        assertThat(replayed.status()).isEqualTo(409);
        assertThat(new String(replayed.body(), StandardCharsets.UTF_8)).contains("replayed");
        assertThat(mirror.pull.scheduled("demo-app")).get().extracting(ScheduledRelease::version).isEqualTo("2.0.1");
    }

    @Test
    void aTamperedBodyIsRefused() throws Exception {
        Signed signed = schedule(signing, "2.0.0", Instant.parse("2026-12-01T03:00:00Z"), Instant.now());
        byte[] tampered = new String(signed.body(), StandardCharsets.UTF_8).replace("2.0.0", "6.6.6")
                .getBytes(StandardCharsets.UTF_8);

        MirrorReceiver.Reply reply = send(new Signed(signed.resource(), signed.keyId(), signed.sequence(),
                signed.timestamp(), signed.signature(), tampered));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(mirror.pull.scheduled("demo-app")).isEmpty();
    }

    @Test
    void aRequestOfAnUntrustedKeyIsRefused() throws Exception {
        KeyPair stranger = OrderSigner.generateKeys();
        Signed signed = schedule(new MirrorSigning(stranger.getPrivate(), stranger.getPublic()), "2.0.0",
                Instant.parse("2026-12-01T03:00:00Z"), Instant.now());

        MirrorReceiver.Reply reply = send(signed);

        assertThat(reply.status()).isEqualTo(403);
        assertThat(mirror.pull.scheduled("demo-app")).isEmpty();
    }

    @Test
    void aStaleRequestIsRefusedEvenWithANewSequence() throws Exception {
        Signed stale = schedule(signing, "2.0.0", Instant.parse("2026-12-01T03:00:00Z"),
                Instant.now().minusSeconds(3600));

        MirrorReceiver.Reply reply = send(stale);

        assertThat(reply.status()).isEqualTo(401);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).contains("set both clocks right");
        assertThat(mirror.pull.scheduled("demo-app")).isEmpty();
    }

    @Test
    void aBlobThatArrivesWithAnotherHashIsDiscardedAndAnOffsetNotHeldIsAnswered() throws Exception {
        byte[] content = new byte[300];
        Arrays.fill(content, (byte) 7);
        String sha = MirrorSigning.sha256(content);

        assertThat(mirror.receiver.blob(sha, 100, 300, new byte[10])).extracting("status").isEqualTo(409);
        assertThat(mirror.receiver.blob(sha, 0, 300, Arrays.copyOf(content, 200)))
                .isEqualTo(new MirrorMessages.BlobAnswer(200, false, ""));
        byte[] wrong = new byte[100];
        assertThat(mirror.receiver.blob(sha, 200, 300, wrong)).extracting("status").isEqualTo(422);
        assertThat(Files.list(dir.resolve("incoming")).toList()).as("discarded").isEmpty();

        mirror.receiver.blob(sha, 0, 300, Arrays.copyOf(content, 200));
        assertThat(mirror.receiver.blob(sha, 200, 300, Arrays.copyOfRange(content, 200, 300)))
                .isEqualTo(new MirrorMessages.BlobAnswer(300, true, "verified"));
        assertThat(Files.readAllBytes(dir.resolve("incoming").resolve(sha + ".blob"))).isEqualTo(content);
    }
}
