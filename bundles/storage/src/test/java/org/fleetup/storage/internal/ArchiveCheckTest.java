package org.fleetup.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;
import org.apache.commons.io.input.BoundedInputStream;
import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store's tests cannot see from outside: how far the check reads an archive it refuses, and in what heap. */
class ArchiveCheckTest {

    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void stopsReadingAtTheFirstEntryOverTheLimit() throws IOException {
        byte[] artifact = emptyFiles(50_000);
        BoundedInputStream counted = BoundedInputStream.builder()
                .setInputStream(new ByteArrayInputStream(artifact)).get();

        assertThatThrownBy(() -> ArchiveCheck.verify(counted, artifact.length, new ArchiveLimits(100, 4 * GIB, 100)))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("more than 100 entries");

        // 101 of 50,000 entries (and the gzip's read-ahead): the check stopped where it passed the limit
        assertThat(counted.getCount()).isLessThan(artifact.length / 20);
    }

    @Test
    void stopsReadingWhereTheArchiveUnpacksToMoreThanAllowed() throws IOException {
        byte[] artifact = TarGz.archive().file("zeros", new byte[64 * 1024 * 1024]).bytes();
        BoundedInputStream counted = BoundedInputStream.builder()
                .setInputStream(new ByteArrayInputStream(artifact)).get();

        assertThatThrownBy(() -> ArchiveCheck.verify(counted, artifact.length, new ArchiveLimits(10, 4 * GIB, 100)))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("maxCompressionRatio");

        assertThat(counted.getCount()).isLessThan(artifact.length / 4);
    }

    /**
     * The "a million empty entries exhaust the heap", scaled down: 400,000 took about 100 MB of heap to check
     * before the limits (a path and a hex hash kept per entry, for ever); the check now refuses them at entry 100,001,
     * having kept about 12 MB, so it runs in a 32 MB heap of its own.
     */
    @Test
    void refusesManyEmptyEntriesInASmallHeap(@TempDir Path directory) throws IOException, InterruptedException {
        Path archive = directory.resolve("empty-files.tar.gz");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(archive))) {
            writeEmptyFiles(400_000, out, Deflater.BEST_SPEED);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process check = new ProcessBuilder(java, "-Xmx32m", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), SmallHeapCheck.class.getName(), archive.toString())
                .redirectErrorStream(true).start();
        try {
            String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(check.waitFor(2, TimeUnit.MINUTES)).as("the check ends").isTrue();
            assertThat(output).startsWith("refused: it holds more than 100000 entries (entry 100001 is 'f100000')");
            assertThat(check.exitValue()).as(output).isZero();
        } finally {
            check.destroyForcibly();
        }
    }

    /** A gzip tar of {@code count} empty files. */
    static byte[] emptyFiles(int count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            writeEmptyFiles(count, bytes, Deflater.DEFAULT_COMPRESSION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeEmptyFiles(int count, OutputStream out, int level) throws IOException {
        GzipParameters gzip = new GzipParameters();
        gzip.setCompressionLevel(level);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out, gzip))) {
            for (int i = 0; i < count; i++) {
                tar.putArchiveEntry(new TarArchiveEntry("f" + i));
                tar.closeArchiveEntry();
            }
        }
    }
}
