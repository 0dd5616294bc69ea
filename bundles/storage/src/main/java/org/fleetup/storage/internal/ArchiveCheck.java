package org.fleetup.storage.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.commons.io.output.NullOutputStream;
import org.fleetup.api.FleetupException;

/**
 * Checks that an artifact is a gzip tar that unpacks safely inside its own directory: no absolute or {@code ..}
 * paths, no link that leads out of the archive (links are followed as the unpacked tree would follow them, so a link
 * through another link is caught too), no devices or FIFOs, no entry twice; and, when the archive carries a
 * {@value #MANIFEST} in {@code sha256sum} format, that it lists every file with its hash and nothing else.
 * <p>
 * One instance checks one archive.
 */
final class ArchiveCheck {

    static final String MANIFEST = "MANIFEST.sha256";

    /** As Linux's limit on symbolic links followed while resolving one path. */
    private static final int MAX_LINK_HOPS = 40;
    private static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
    private static final Pattern MANIFEST_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    /** Regular files (and hard links, once resolved) by their path in the archive, to their SHA-256. */
    private final Map<String, String> files = new TreeMap<>();
    private final Map<String, String> symbolicLinks = new LinkedHashMap<>();
    private final Map<String, String> hardLinks = new LinkedHashMap<>();
    private final Set<String> paths = new HashSet<>();
    private final ByteArrayOutputStream manifest = new ByteArrayOutputStream();
    private boolean hasManifest;

    private ArchiveCheck() {
    }

    /**
     * Reads the whole artifact; does not close it.
     *
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} naming the offending entry
     */
    static void verify(InputStream artifact) {
        new ArchiveCheck().check(artifact);
    }

    private void check(InputStream artifact) {
        read(artifact);
        resolveHardLinks();
        symbolicLinks.forEach(this::checkSymbolicLink);
        if (hasManifest) {
            checkManifest();
        }
    }

    private void read(InputStream artifact) {
        GzipCompressorInputStream gzip;
        try {
            gzip = new GzipCompressorInputStream(CloseShieldInputStream.wrap(artifact), true);
        } catch (IOException e) {
            throw invalid("not a gzip tar archive (" + e.getMessage() + ")");
        }
        String last = null;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(gzip)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                record(entry, tar);
                last = entry.getName();
            }
            // the gzip trailer, and with it the CRC of the whole stream, is checked only once read
            IOUtils.consume(gzip);
        } catch (IOException e) {
            throw invalid(last == null ? "not a gzip tar archive (" + e.getMessage() + ")"
                    : "the archive is damaged after entry '" + last + "' (" + e.getMessage() + ")");
        }
        if (last == null) {
            throw invalid("not a gzip tar archive (it holds no tar entries)");
        }
    }

    private void record(TarArchiveEntry entry, InputStream content) throws IOException {
        String name = entry.getName();
        String path = normalize(name);
        if (!paths.add(path)) {
            throw invalid("the archive holds '" + name + "' more than once; each path may appear only once");
        }
        byte type = entry.getLinkFlag();
        if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            if (target.isEmpty() || target.startsWith("/")) {
                throw invalid("symbolic link '" + name + "' points to '" + target
                        + "'; links must be relative and stay inside the archive");
            }
            symbolicLinks.put(path, target);
        } else if (entry.isLink()) {
            String target = entry.getLinkName();
            if (target.isEmpty() || target.startsWith("/")) {
                throw invalid("hard link '" + name + "' points to '" + target
                        + "'; links must be relative and stay inside the archive");
            }
            hardLinks.put(path, target);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            throw invalid("'" + name + "' is a device or FIFO; a release may hold only files, directories and links");
        } else if (entry.isDirectory()) {
            return;
        } else if (type == TarConstants.LF_NORMAL || type == TarConstants.LF_OLDNORM
                || type == TarConstants.LF_CONTIG) {
            if (path.isEmpty()) {
                throw invalid("the archive holds a file without a name");
            }
            files.put(path, sha256(content, path.equals(MANIFEST) ? manifestCopy(name, entry.getSize())
                    : NullOutputStream.INSTANCE));
            hasManifest |= path.equals(MANIFEST);
        } else {
            throw invalid("'" + name + "' has the unsupported tar entry type '" + (char) type
                    + "'; a release may hold only files, directories and links");
        }
    }

    /** The path as it unpacks, relative to the archive's root: no {@code ./}, no trailing {@code /}. */
    private static String normalize(String name) {
        if (name.startsWith("/")) {
            throw invalid("'" + name + "' is an absolute path; every entry must be relative to the archive");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                throw invalid("'" + name + "' has a '..' segment: it would unpack outside the release directory");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        return String.join("/", segments);
    }

    private OutputStream manifestCopy(String name, long size) {
        if (size > MAX_MANIFEST_BYTES) {
            throw invalid("'" + name + "' is larger than " + MAX_MANIFEST_BYTES + " bytes");
        }
        return manifest;
    }

    private static String sha256(InputStream content, OutputStream copy) throws IOException {
        DigestInputStream digesting = new DigestInputStream(content, sha256());
        IOUtils.copyLarge(digesting, copy);
        return HexFormat.of().formatHex(digesting.getMessageDigest().digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A hard link names another entry of the archive, from the archive's root; it takes that file's hash. */
    private void resolveHardLinks() {
        hardLinks.forEach((path, target) -> {
            String resolved = resolve(target, path);
            if (resolved == null) {
                throw invalid("hard link '" + path + "' points to '" + target + "', outside the archive");
            }
            String hash = files.get(resolved);
            if (hash == null) {
                throw invalid("hard link '" + path + "' points to '" + target + "', which is not a file of the archive");
            }
            files.put(path, hash);
        });
    }

    private void checkSymbolicLink(String path, String target) {
        int slash = path.lastIndexOf('/');
        String directory = slash < 0 ? "" : path.substring(0, slash + 1);
        if (resolve(directory + target, path) == null) {
            throw invalid("symbolic link '" + path + "' points to '" + target + "', outside the archive");
        }
    }

    /**
     * Follows {@code path} from the archive's root as the unpacked tree would, through its symbolic links.
     *
     * @return where it leads, or {@code null} when that is outside the archive
     */
    private String resolve(String path, String link) {
        Deque<String> pending = new ArrayDeque<>(Arrays.asList(path.split("/")));
        List<String> resolved = new ArrayList<>();
        int hops = 0;
        while (!pending.isEmpty()) {
            String segment = pending.removeFirst();
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (resolved.isEmpty()) {
                    return null;
                }
                resolved.remove(resolved.size() - 1);
                continue;
            }
            resolved.add(segment);
            String target = symbolicLinks.get(String.join("/", resolved));
            if (target != null) {
                if (++hops > MAX_LINK_HOPS) {
                    throw invalid("link '" + link + "' leads into a loop of symbolic links");
                }
                resolved.remove(resolved.size() - 1);
                List<String> targetSegments = Arrays.asList(target.split("/"));
                for (int i = targetSegments.size() - 1; i >= 0; i--) {
                    pending.addFirst(targetSegments.get(i));
                }
            }
        }
        return String.join("/", resolved);
    }

    private void checkManifest() {
        Map<String, String> listed = new LinkedHashMap<>();
        String[] lines = manifest.toString(StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher matcher = MANIFEST_LINE.matcher(line);
            if (!matcher.matches()) {
                throw invalid(MANIFEST + " line " + (i + 1) + " is not '<sha256>  <path>' as sha256sum writes it");
            }
            String path = normalize(matcher.group(2));
            if (path.equals(MANIFEST)) {
                // "sha256sum * > MANIFEST.sha256" lists the manifest as it was while being written
                continue;
            }
            if (listed.put(path, matcher.group(1).toLowerCase(Locale.ROOT)) != null) {
                throw invalid(MANIFEST + " lists '" + path + "' more than once");
            }
        }
        listed.forEach((path, expected) -> {
            String actual = files.get(path);
            if (actual == null && symbolicLinks.containsKey(path)) {
                actual = files.get(resolve(path, path));
            }
            if (actual == null) {
                throw invalid(MANIFEST + " lists '" + path + "', which is not a file of the archive");
            }
            if (!actual.equals(expected)) {
                throw invalid("'" + path + "' does not match " + MANIFEST + ": its SHA-256 is " + actual
                        + ", the manifest says " + expected);
            }
        });
        for (String path : files.keySet()) {
            if (!path.equals(MANIFEST) && !listed.containsKey(path)) {
                throw invalid("'" + path + "' is not listed in " + MANIFEST + "; every file of the archive must be");
            }
        }
    }

    private static FleetupException invalid(String why) {
        return new FleetupException(FleetupException.RELEASE_INVALID, why);
    }
}
