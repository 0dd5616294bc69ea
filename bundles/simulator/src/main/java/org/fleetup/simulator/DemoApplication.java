package org.fleetup.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.fleetup.api.FleetupException;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;

/**
 * The demo application the simulated servers run: how a release of it is packed, how it is laid out on a server,
 * and the demo's mix of servers. Releases are byte-for-byte reproducible: the same version gives the same archive.
 */
public final class DemoApplication {

    public static final String PRODUCT = "demo-app";

    /** The size of {@code lib/demo-app.jar} when none is given. */
    public static final int DEFAULT_FILLER_BYTES = 256 * 1024;

    /** The file of a release that lists the SHA-256 of every other file, in {@code sha256sum} format. */
    public static final String MANIFEST = "MANIFEST.sha256";

    /**
     * The shell file, under a server's {@code $HOME}, that the launcher ({@code bin/demo-app}) reads before it
     * answers, with {@code demo_app_version} set to its own version: where the simulator puts a health fault.
     */
    public static final String HEALTH_HOOK = ".sim/health.sh";

    /** The versions the old servers of {@link #demoMix(int)} run, in turn. */
    public static final List<String> OLD_VERSIONS = List.of("1.0.0", "1.2.3", "1.4.2", "1.9.7");

    private static final int MINIMUM_MIX = 6;
    private static final Pattern SAFE_VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]*");
    // A fixed time keeps archives reproducible.
    private static final FileTime RELEASED_AT = FileTime.from(Instant.parse("2024-01-01T00:00:00Z"));
    private static final int EXECUTABLE = 0755;
    private static final int READABLE = 0644;

    private DemoApplication() {
    }

    /** Writes the release {@code version} to {@code target} (a {@code .tar.gz}) with the default filler size. */
    public static Path writeRelease(String version, Path target) {
        return writeRelease(version, target, DEFAULT_FILLER_BYTES);
    }

    /**
     * Writes the release {@code version} to {@code target}, a gzip tar of {@code VERSION}, {@code bin/demo-app},
     * {@code lib/demo-app.jar} ({@code fillerBytes} long) and {@code MANIFEST.sha256}.
     *
     * @return {@code target}
     */
    public static Path writeRelease(String version, Path target, int fillerBytes) {
        List<ReleaseFile> files = releaseFiles(version, fillerBytes);
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            try (OutputStream out = Files.newOutputStream(target);
                 GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out);
                 TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (String directory : List.of("bin/", "lib/")) {
                    TarArchiveEntry entry = new TarArchiveEntry(directory);
                    entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
                    entry.setModTime(RELEASED_AT);
                    tar.putArchiveEntry(entry);
                    tar.closeArchiveEntry();
                }
                for (ReleaseFile file : files) {
                    TarArchiveEntry entry = new TarArchiveEntry(file.path());
                    entry.setSize(file.content().length);
                    entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | file.mode());
                    entry.setModTime(RELEASED_AT);
                    tar.putArchiveEntry(entry);
                    tar.write(file.content());
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
            return target;
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not write the demo-app release "
                    + version + " to " + target + ": " + e.getMessage() + ". Check that the directory is writable.", e);
        }
    }

    /**
     * Lays the release {@code version} out under {@code root/demo-app}: {@code releases/<version>/} with the files of
     * {@link #writeRelease(String, Path)} and the relative link {@code current -> releases/<version>}, switched
     * atomically. Installing a version again rewrites its files.
     */
    public static void install(Path root, String version) {
        List<ReleaseFile> files = releaseFiles(version, DEFAULT_FILLER_BYTES);
        Path application = root.resolve(PRODUCT);
        Path release = application.resolve("releases").resolve(version);
        try {
            for (ReleaseFile file : files) {
                Path written = release.resolve(file.path());
                Files.createDirectories(written.getParent());
                Files.write(written, file.content());
                Files.setPosixFilePermissions(written, permissions(file.mode()));
                Files.setLastModifiedTime(written, RELEASED_AT);
            }
            Path link = application.resolve(".current-" + version);
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, Path.of("releases", version));
            Files.move(link, application.resolve("current"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not install demo-app " + version
                    + " under " + application + ": " + e.getMessage() + ". Check that the directory is writable.", e);
        }
    }

    /**
     * The demo's mix of {@code count} servers: most on the {@link #OLD_VERSIONS} in turn, two at 2.0.0, one at
     * 2.0.1, one old one with a full disk and one old one that drops the connection; the first is always a healthy
     * old one, so that it makes a good canary.
     */
    public static List<HostSpec> demoMix(int count) {
        if (count < MINIMUM_MIX) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "A demo mix needs at least " + MINIMUM_MIX
                    + " servers to hold every kind, not " + count + ". Ask for " + MINIMUM_MIX + " or more.");
        }
        // A null version stands for the next of the old versions.
        List<HostSpec> specials = List.of(
                new HostSpec("2.0.0", Set.of()),
                new HostSpec(null, Set.of(Fault.DISK_FULL)),
                new HostSpec("2.0.1", Set.of()),
                new HostSpec(null, Set.of(Fault.DROP_CONNECTION)),
                new HostSpec("2.0.0", Set.of()));
        List<HostSpec> mix = new ArrayList<>(count);
        int nextSpecial = 0;
        int oldOnes = 0;
        for (int position = 0; position < count; position++) {
            // Spreads the special servers evenly; position 0 never holds one since count >= specials + 1.
            boolean special = nextSpecial < specials.size()
                    && position == (nextSpecial + 1) * count / (specials.size() + 1);
            HostSpec spec = special ? specials.get(nextSpecial++) : new HostSpec(null, Set.of());
            if (spec.version() == null) {
                spec = new HostSpec(OLD_VERSIONS.get(oldOnes++ % OLD_VERSIONS.size()), spec.faults());
            }
            mix.add(spec);
        }
        return List.copyOf(mix);
    }

    private static List<ReleaseFile> releaseFiles(String version, int fillerBytes) {
        if (version == null || !SAFE_VERSION.matcher(version).matches()) {
            throw new FleetupException(FleetupException.VERSION_MALFORMED, "'" + version
                    + "' cannot name a demo-app release: use letters, digits and . _ + ~ - only, such as 1.2.3.");
        }
        if (fillerBytes < 0) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "The filler size must be zero or more bytes, not " + fillerBytes + ".");
        }
        List<ReleaseFile> files = List.of(
                new ReleaseFile("VERSION", (version + "\n").getBytes(StandardCharsets.UTF_8), READABLE),
                new ReleaseFile("bin/demo-app", launcher(version), EXECUTABLE),
                new ReleaseFile("lib/demo-app.jar", filler(version, fillerBytes), READABLE));
        StringBuilder manifest = new StringBuilder();
        for (ReleaseFile file : files) {
            manifest.append(HexFormat.of().formatHex(sha256(file.content()))).append("  ").append(file.path())
                    .append('\n');
        }
        List<ReleaseFile> withManifest = new ArrayList<>(files);
        withManifest.add(new ReleaseFile(MANIFEST, manifest.toString().getBytes(StandardCharsets.UTF_8), READABLE));
        return withManifest;
    }

    private static byte[] launcher(String version) {
        return ("#!/bin/sh\n"
                + "# demo-app " + version + ": prints the version of the release this script belongs to\n"
                + "# A simulated server with a health fault keeps it in " + HEALTH_HOOK + ", read here.\n"
                + "demo_app_version='" + version + "'\n"
                + "if [ -r \"$HOME/" + HEALTH_HOOK + "\" ]; then . \"$HOME/" + HEALTH_HOOK + "\"; fi\n"
                + "cat \"$(dirname \"$0\")/../VERSION\"\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] filler(String version, int size) {
        byte[] bytes = new byte[size];
        // java.util.Random's sequence is fixed by its specification, so every JVM gives the same bytes.
        new Random(ByteBuffer.wrap(sha256(version.getBytes(StandardCharsets.UTF_8))).getLong()).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(byte[] content) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        return PosixFilePermissions.fromString(mode == EXECUTABLE ? "rwxr-xr-x" : "rw-r--r--");
    }

    private record ReleaseFile(String path, byte[] content, int mode) {
    }
}
