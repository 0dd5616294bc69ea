package org.fleetup.upgrade.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.fleetup.api.release.Release;

/** Release archives for the tests, including the broken ones the store would refuse, and what they hold. */
final class Archives {

    record Entry(String path, byte[] content, int mode) {

        static Entry text(String path, String content, int mode) {
            return new Entry(path, content.getBytes(StandardCharsets.UTF_8), mode);
        }
    }

    private Archives() {
    }

    /** A demo-app release whose files say {@code version} but whose launcher prints {@code printed}. */
    static List<Entry> demoFiles(String version, String printed) {
        byte[] jar = new byte[8 * 1024];
        new Random(version.hashCode()).nextBytes(jar);
        return List.of(
                Entry.text("VERSION", version + "\n", 0644),
                Entry.text("bin/demo-app", "#!/bin/sh\necho " + printed + "\n", 0755),
                new Entry("lib/demo-app.jar", jar, 0644));
    }

    /** {@code files} and a {@code MANIFEST.sha256} listing them, the last one's hash replaced when {@code lie}. */
    static Path writeWithManifest(Path target, List<Entry> files, boolean lie) {
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            Entry file = files.get(i);
            byte[] hashed = lie && i == files.size() - 1 ? "something else".getBytes(StandardCharsets.UTF_8)
                    : file.content();
            manifest.append(sha256(hashed)).append("  ./").append(file.path()).append('\n');
        }
        List<Entry> all = new ArrayList<>(files);
        all.add(Entry.text(ReleaseDirectoryInstall.MANIFEST, manifest.toString(), 0644));
        return write(target, all);
    }

    static Path write(Path target, List<Entry> entries) {
        try (OutputStream out = Files.newOutputStream(target);
             GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(out);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
            for (Entry file : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(file.path());
                entry.setSize(file.content().length);
                entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | file.mode());
                entry.setModTime(Instant.parse("2024-01-01T00:00:00Z").toEpochMilli());
                tar.putArchiveEntry(entry);
                tar.write(file.content());
                tar.closeArchiveEntry();
            }
            tar.finish();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of one file of an archive. */
    static String read(Path archive, String path) {
        try (InputStream in = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().replaceFirst("^\\./", "").equals(path)) {
                    return new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            throw new AssertionError(archive + " holds no " + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Release release(String version, Path archive) {
        try {
            return new Release("demo-app", version, null, sha256(Files.readAllBytes(archive)), Files.size(archive),
                    archive.getFileName().toString(), Instant.now());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
