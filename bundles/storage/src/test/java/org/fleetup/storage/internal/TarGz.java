package org.fleetup.storage.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds gzip tar archives for tests, entry by entry, including the hostile entries a store must refuse. */
final class TarGz {

    private record Entry(String name, byte type, String linkTarget, byte[] content, int mode,
                         Map<String, String> paxHeaders) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    static TarGz archive() {
        return new TarGz();
    }

    /** The demo application's layout: a directory, two files and the manifest of both. */
    static TarGz release(String version) {
        return archive().directory("./")
                .directory("./bin/")
                .file("./bin/demo-app", "#!/bin/sh\necho " + version + "\n")
                .file("./VERSION", version + "\n")
                .manifest();
    }

    TarGz file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    TarGz file(String name, byte[] content) {
        entries.add(entry(name, TarConstants.LF_NORMAL, null, content));
        files.put(name, content);
        return this;
    }

    TarGz directory(String name) {
        entries.add(entry(name, TarConstants.LF_DIR, null, null));
        return this;
    }

    /** @param mode the permission bits, as {@code chmod} takes them ({@code 0555}) */
    TarGz directory(String name, int mode) {
        entries.add(new Entry(name, TarConstants.LF_DIR, null, null, TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | mode,
                Map.of()));
        return this;
    }

    /**
     * An entry of any type with this content, written as it is: {@code rawEntry("././@LongLink", LF_GNUTYPE_LONGNAME,
     * name)} gives the next entry a GNU long name without the writer's own handling of long names.
     */
    TarGz rawEntry(String name, byte type, byte[] content) {
        entries.add(new Entry(name, type, null, content, TarArchiveEntry.DEFAULT_FILE_MODE, Map.of()));
        return this;
    }

    /** An empty file whose entry carries these PAX headers besides the ones the writer adds. */
    TarGz fileWithPaxHeaders(String name, Map<String, String> paxHeaders) {
        entries.add(new Entry(name, TarConstants.LF_NORMAL, null, new byte[0], TarArchiveEntry.DEFAULT_FILE_MODE,
                paxHeaders));
        return this;
    }

    TarGz symbolicLink(String name, String target) {
        entries.add(entry(name, TarConstants.LF_SYMLINK, target, null));
        return this;
    }

    TarGz hardLink(String name, String target) {
        entries.add(entry(name, TarConstants.LF_LINK, target, null));
        return this;
    }

    TarGz fifo(String name) {
        entries.add(entry(name, TarConstants.LF_FIFO, null, null));
        return this;
    }

    TarGz characterDevice(String name) {
        entries.add(entry(name, TarConstants.LF_CHR, null, null));
        return this;
    }

    /** A {@code MANIFEST.sha256} listing every file added so far, as {@code sha256sum} writes it. */
    TarGz manifest() {
        StringBuilder text = new StringBuilder();
        files.forEach((name, content) -> text.append(sha256(content)).append("  ").append(name).append('\n'));
        return manifest(text.toString());
    }

    TarGz manifest(String text) {
        entries.add(entry("./" + ArchiveCheck.MANIFEST, TarConstants.LF_NORMAL, null,
                text.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    private static Entry entry(String name, byte type, String linkTarget, byte[] content) {
        return new Entry(name, type, linkTarget, content, type == TarConstants.LF_DIR ? TarArchiveEntry.DEFAULT_DIR_MODE
                : TarArchiveEntry.DEFAULT_FILE_MODE, Map.of());
    }

    /** The gzip tar. */
    byte[] bytes() {
        return gzip(tar());
    }

    /** The tar, not compressed: for damaging a header before {@link #gzip}. */
    byte[] tar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Entry entry : entries) {
                // true keeps an absolute name absolute, as a hostile archive would have it
                TarArchiveEntry tarEntry = new TarArchiveEntry(entry.name(), entry.type(), true);
                tarEntry.setMode(entry.mode());
                entry.paxHeaders().forEach(tarEntry::addPaxHeader);
                if (entry.linkTarget() != null) {
                    tarEntry.setLinkName(entry.linkTarget());
                }
                if (entry.content() != null) {
                    tarEntry.setSize(entry.content().length);
                }
                tar.putArchiveEntry(tarEntry);
                if (entry.content() != null) {
                    tar.write(entry.content());
                }
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(bytes)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static String sha256(String content) {
        return sha256(content.getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
