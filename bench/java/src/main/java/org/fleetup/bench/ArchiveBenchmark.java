package org.fleetup.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

import org.fleetup.simulator.DemoApplication;
import org.fleetup.storage.internal.ArchiveChecks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the store does to every release it is given, on a 5 MiB demo-app release held in memory (so that the disk
 * is not measured): the SHA-256 of the artifact, and {@code ArchiveCheck} (gunzip, untar, SHA-256 of every file,
 * the manifest compared).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ArchiveBenchmark {

    /** The filler jar's size; the archive comes out at about this, gzip barely shrinking it. */
    static final int FILLER_BYTES = 5 * 1024 * 1024;

    private byte[] release;

    @Setup
    public void writeRelease() throws IOException {
        Path dir = Files.createTempDirectory("fleetup-bench-archive");
        Path file = DemoApplication.writeRelease("2.0.0", dir.resolve("demo-app-2.0.0.tar.gz"), FILLER_BYTES);
        release = Files.readAllBytes(file);
        Files.delete(file);
        Files.delete(dir);
    }

    @Benchmark
    public byte[] sha256Of5MiB() throws NoSuchAlgorithmException {
        return MessageDigest.getInstance("SHA-256").digest(release);
    }

    @Benchmark
    public void archiveCheckOf5MiB() {
        ArchiveChecks.verify(new ByteArrayInputStream(release));
    }
}
