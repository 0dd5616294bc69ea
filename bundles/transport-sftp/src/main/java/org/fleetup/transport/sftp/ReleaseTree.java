package org.fleetup.transport.sftp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;

/**
 * A release's {@code .tar.gz} as the controller reads it, entry by entry, from the store: its SHA-256 is checked
 * against the release's as the last byte goes by, and every file's own size and SHA-256 are taken on the way, so
 * that what was written to a server can be compared with them. The store refused an archive with absolute or
 * {@code ..} paths, links out of it or devices when it was added; they are refused here again all the same.
 */
final class ReleaseTree {

    static final String MANIFEST = "MANIFEST.sha256";

    /** One entry of the archive, its path relative to the release's top directory. */
    sealed interface Entry permits Directory, File, Link {
        String path();
    }

    record Directory(String path, int mode) implements Entry {
    }

    /** A file, its content readable once from {@link Visitor#file}'s stream. */
    record File(String path, int mode) implements Entry {
    }

    record Link(String path, String target) implements Entry {
    }

    /** What a file holds: its size and SHA-256 (lower-case hex). */
    record Sum(long size, String sha256) {
    }

    /** Told every entry in archive order. */
    interface Visitor {
        void directory(Directory directory) throws IOException;

        /** @param content the file's bytes: read it to its end (or not at all) */
        void file(File file, InputStream content) throws IOException;

        void link(Link link) throws IOException;
    }

    /** The files of the archive and their sums, once read whole; the manifest's lines when it has one. */
    record Sums(Map<String, Sum> files, Optional<Map<String, String>> manifest) {

        /** Why the files do not match the archive's manifest, if they do not. */
        Optional<String> manifestProblem() {
            if (manifest.isEmpty()) {
                return Optional.empty();
            }
            for (Map.Entry<String, Sum> file : files.entrySet()) {
                if (file.getKey().equals(MANIFEST)) {
                    continue;
                }
                String listed = manifest.get().get(file.getKey());
                if (listed == null) {
                    return Optional.of("file " + file.getKey() + " is not listed in " + MANIFEST);
                }
                if (!listed.equals(file.getValue().sha256())) {
                    return Optional.of("file " + file.getKey() + " does not match the manifest");
                }
            }
            return manifest.get().keySet().stream().filter(path -> !files.containsKey(path)).findFirst()
                    .map(path -> "file " + path + " listed in the manifest is missing from the archive");
        }
    }

    private ReleaseTree() {
    }

    /**
     * Reads the whole archive once, telling {@code visitor} each entry.
     *
     * @return the sums of its files
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} when the bytes are not the release's (another
     *         SHA-256), not a gzip tar, or hold an entry that would land outside the release
     */
    static Sums read(Release release, InputStream artifact, Visitor visitor) {
        MessageDigest whole = sha256();
        Map<String, Sum> files = new LinkedHashMap<>();
        Map<String, String> manifest = null;
        try (DigestInputStream digested = new DigestInputStream(artifact, whole);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(digested))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String path = path(release, entry.getName());
                if (path.isEmpty()) {
                    continue;
                }
                int mode = entry.getMode() & 07777;
                if (entry.isDirectory()) {
                    visitor.directory(new Directory(path, mode));
                } else if (entry.isSymbolicLink()) {
                    visitor.link(new Link(path, entry.getLinkName()));
                } else if (entry.isFile()) {
                    MessageDigest digest = sha256();
                    CountingDigest counted = new CountingDigest(tar, digest, path.equals(MANIFEST));
                    visitor.file(new File(path, mode), counted);
                    counted.transferTo(OutputStream.nullOutputStream());
                    files.put(path, new Sum(counted.count, HexFormat.of().formatHex(digest.digest())));
                    if (path.equals(MANIFEST)) {
                        manifest = counted.manifest();
                    }
                } else {
                    throw invalid(release, "its entry " + entry.getName() + " is neither a file, a directory nor a "
                            + "symbolic link");
                }
            }
            // The rest of the gzip stream, so that the whole artifact's sum is taken.
            digested.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw invalid(release, "it is not a readable gzip tar (" + e.getMessage() + ")");
        }
        String sha256 = HexFormat.of().formatHex(whole.digest());
        if (!sha256.equals(release.sha256())) {
            throw invalid(release, "the store handed bytes with SHA-256 " + sha256 + ", not the release's "
                    + release.sha256() + "; check the store ('fleet:release-list')");
        }
        return new Sums(files, Optional.ofNullable(manifest));
    }

    /** The entry's path inside the release: {@code ./bin/app} is {@code bin/app}; none may climb out. */
    private static String path(Release release, String name) {
        String path = name.replace('\\', '/');
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals(".")) {
            return "";
        }
        if (path.startsWith("/") || ("/" + path + "/").contains("/../")) {
            throw invalid(release, "its entry " + name + " would land outside the release directory");
        }
        return path;
    }

    private static FleetupException invalid(Release release, String why) {
        return new FleetupException(FleetupException.RELEASE_INVALID, "Release " + release.coordinates()
                + " cannot be installed over SFTP: " + why + ".");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Counts and digests what is read through it, and keeps a small manifest's text to parse. */
    private static final class CountingDigest extends DigestInputStream {

        private static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

        private final boolean keeping;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private long count;

        CountingDigest(InputStream in, MessageDigest digest, boolean keeping) {
            super(in, digest);
            this.keeping = keeping;
        }

        /** The archive goes on after this entry: a visitor closing it must not close the archive. */
        @Override
        public void close() {
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
                keep(new byte[] {(byte) b}, 0, 1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
                keep(buffer, offset, n);
            }
            return n;
        }

        private void keep(byte[] buffer, int offset, int length) {
            if (keeping && kept.size() + length <= MAX_MANIFEST_BYTES) {
                kept.write(buffer, offset, length);
            }
        }

        /** {@code sha256sum} lines: {@code <hash>  <path>} (or {@code <hash> *<path>}). */
        Map<String, String> manifest() {
            Map<String, String> sums = new LinkedHashMap<>();
            for (String line : kept.toString(StandardCharsets.UTF_8).lines().toList()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split("\\s+[ *]?", 2);
                if (parts.length == 2) {
                    String path = parts[1].startsWith("*") ? parts[1].substring(1) : parts[1];
                    sums.put(path.startsWith("./") ? path.substring(2) : path, parts[0].toLowerCase(Locale.ROOT));
                }
            }
            return sums;
        }
    }
}
