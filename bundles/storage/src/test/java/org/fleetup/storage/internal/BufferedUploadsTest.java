package org.fleetup.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Stream;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.Uploads.Request;
import org.fleetup.api.release.Uploads.Upload;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The updating-device handshake on a real store: granted, streamed in parts, verified, committed; and each way it is
 * refused, judged by the buffer directory and the store's catalog.
 */
class BufferedUploadsTest {

    private static final String PRODUCT = "demo-app";
    private static final long MAX_BYTES = 1024 * 1024;

    @TempDir
    Path root;

    @TempDir
    Path buffers;

    private final InMemoryReleaseCatalog catalog = new InMemoryReleaseCatalog();
    private final MovableClock clock = new MovableClock();
    private VfsReleaseStore store;
    private BufferedUploads uploads;
    private byte[] artifact;

    @BeforeEach
    void open() {
        store = new VfsReleaseStore(catalog, new DefaultVersionSchemes(), new FixedProductProfiles("semantic"),
                root.toUri().toString(), MAX_BYTES, new ArchiveLimits(100_000, 4L * 1024 * 1024 * 1024, 100));
        uploads = new BufferedUploads(store, buffers, MAX_BYTES, Duration.ofMinutes(10), clock);
        artifact = TarGz.release("2.0.0").bytes();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Request request(byte[] bytes) {
        return new Request(PRODUCT, "2.0.0", "application", null, bytes.length, TarGz.sha256(bytes));
    }

    private static InputStream part(byte[] bytes, int from, int to) {
        return new ByteArrayInputStream(Arrays.copyOfRange(bytes, from, to));
    }

    @Test
    void aGrantedUploadSentInTwoPartsIsVerifiedAndCommitted() {
        Upload granted = uploads.request(request(artifact));
        assertThat(granted.received()).isZero();
        assertThat(granted.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        int half = artifact.length / 2;

        Upload first = uploads.append(granted.id(), 0, part(artifact, 0, half));
        assertThat(first.received()).isEqualTo(half);
        assertThat(first.complete()).isFalse();
        assertThatThrownBy(() -> uploads.commit(granted.id(), "device"))
                .satisfies(e -> assertThat(((FleetupException) e).code())
                        .isEqualTo(FleetupException.UPLOAD_INCOMPLETE));

        Upload all = uploads.append(granted.id(), half, part(artifact, half, artifact.length));
        assertThat(all.complete()).isTrue();
        Release release = uploads.commit(granted.id(), "device");

        assertThat(release.sha256()).isEqualTo(TarGz.sha256(artifact));
        assertThat(store.find(PRODUCT, "2.0.0")).contains(release);
        assertThat(buffers).isEmptyDirectory();
        assertThat(uploads.find(granted.id())).isEmpty();
    }

    @Test
    void aPartThatDoesNotStartWhereTheLastEndedIsRefusedAndChangesNothing() {
        Upload granted = uploads.request(request(artifact));
        uploads.append(granted.id(), 0, part(artifact, 0, 100));

        assertThatThrownBy(() -> uploads.append(granted.id(), 150, part(artifact, 150, 200)))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_RANGE))
                .hasMessageContaining("holds 100 bytes");
        assertThat(uploads.require(granted.id()).received()).isEqualTo(100);
    }

    @Test
    void aPartPastTheGrantIsDroppedAndTheBytesBeforeItKept() throws IOException {
        Upload granted = uploads.request(request(artifact));
        uploads.append(granted.id(), 0, part(artifact, 0, 100));
        byte[] tooMuch = Arrays.copyOf(artifact, artifact.length + 10);

        assertThatThrownBy(() -> uploads.append(granted.id(), 100, part(tooMuch, 100, tooMuch.length)))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_TOO_LARGE));

        assertThat(uploads.require(granted.id()).received()).isEqualTo(100);
        assertThat(Files.size(buffers.resolve(granted.id() + ".part"))).isEqualTo(100);
    }

    @Test
    void otherBytesThanThoseGrantedAreDiscardedWhole() {
        Upload granted = uploads.request(request(artifact));
        byte[] other = artifact.clone();
        other[other.length / 2] ^= 1;

        assertThatThrownBy(() -> uploads.append(granted.id(), 0, new ByteArrayInputStream(other)))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_MISMATCH));

        assertThat(buffers).isEmptyDirectory();
        assertThat(store.find(PRODUCT, "2.0.0")).isEmpty();
        assertThatThrownBy(() -> uploads.require(granted.id()))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_NOT_FOUND));
    }

    @Test
    void anUploadPastItsExpiryIsDiscarded() {
        Upload granted = uploads.request(request(artifact));
        uploads.append(granted.id(), 0, part(artifact, 0, 100));
        clock.advance(Duration.ofMinutes(10));

        assertThatThrownBy(() -> uploads.append(granted.id(), 100, part(artifact, 100, artifact.length)))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_EXPIRED));
        assertThat(buffers).isEmptyDirectory();
        assertThat(store.find(PRODUCT, "2.0.0")).isEmpty();
    }

    @Test
    void aRequestForTooMuchOrAVersionStoredWithOtherBytesIsRefusedWithTheReason() {
        assertThatThrownBy(() -> uploads.request(new Request(PRODUCT, "2.0.0", null, null, MAX_BYTES + 1,
                TarGz.sha256(artifact))))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.UPLOAD_TOO_LARGE));
        assertThatThrownBy(() -> uploads.request(new Request(PRODUCT, "2.0.0", null, null, 10, "not-a-hash")))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.RELEASE_INVALID));
        assertThatThrownBy(() -> uploads.request(new Request("../etc", "2.0.0", null, null, 10,
                TarGz.sha256(artifact))))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.RELEASE_INVALID));

        store.add(PRODUCT, "2.0.0", null, null, new ByteArrayInputStream(artifact));
        byte[] other = TarGz.release("2.0.0-other").bytes();

        assertThatThrownBy(() -> uploads.request(request(other)))
                .satisfies(e -> assertThat(((FleetupException) e).code()).isEqualTo(FleetupException.RELEASE_CONFLICT))
                .hasMessageContaining("with other bytes");
        assertThat(buffers).isEmptyDirectory();
    }

    @Test
    void whatAnEarlierControllerLeftInTheBufferDirectoryIsDropped() throws IOException {
        Files.writeString(buffers.resolve("left-behind.part"), "half an artifact");

        new BufferedUploads(store, buffers, MAX_BYTES, Duration.ofMinutes(10), clock);

        try (Stream<Path> left = Files.list(buffers)) {
            assertThat(left).isEmpty();
        }
    }

    /** A clock the test moves: expiry without waiting. */
    private static final class MovableClock extends Clock {

        private Instant now = Instant.parse("2026-12-01T12:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
