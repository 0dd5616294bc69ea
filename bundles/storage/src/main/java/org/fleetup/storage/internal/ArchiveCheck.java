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
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.io.FileUtils;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.apache.commons.io.output.NullOutputStream;
import org.fleetup.api.FleetupException;

/**
 * Checks that an artifact is a gzip tar that unpacks safely inside its own directory: no absolute or {@code ..}
 * paths, no link that leads out of the archive (links are followed as the unpacked tree would follow them, so a link
 * through another link is caught too), no devices, FIFOs or sparse files, no entry twice, no damaged tar header, no
 * directory its owner cannot change (the server could neither move the release into place nor remove it); and, when
 * the archive carries a {@value #MANIFEST} in {@code sha256sum} format, that it lists every file with its hash and
 * nothing else.
 * <p>
 * What the archive unpacks to is held to {@link ArchiveLimits} while it streams, so a bomb is refused where it passes
 * a limit, before it is decompressed further. The check keeps a path (and a hash, or a link's target) per entry, as
 * it must to find duplicates, check links and match the manifest: the entry limit, with
 * {@value #NAME_CHARS_PER_ENTRY} characters of names per allowed entry, bounds that memory; and commons-compress,
 * which holds an entry's long name and PAX headers in memory whole, gets at most {@value #MAX_HEADER_BYTES} bytes of
 * them per entry.
 * <p>
 * One instance checks one archive.
 */
final class ArchiveCheck {

    static final String MANIFEST = "MANIFEST.sha256";

    /** As Linux's limit on symbolic links followed while resolving one path. */
    private static final int MAX_LINK_HOPS = 40;
    private static final int MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
    /** The tar headers of one entry (its header, long name, long link, PAX records), far above what any needs. */
    private static final int MAX_HEADER_BYTES = 1024 * 1024;
    /**
     * PAX headers Fleetup does not read (extended attributes, comments), per entry: global ones are repeated for
     * every entry, so their number and size are bounded here.
     */
    private static final int MAX_OTHER_PAX_HEADERS = 100;
    /** Average length of the paths and link targets kept, per allowed entry: real trees average under 100. */
    private static final int NAME_CHARS_PER_ENTRY = 256;
    /** What the owner of a directory needs to move it and remove what is in it: read, write and search. */
    private static final int OWNER_RWX = 0700;
    private static final Pattern MANIFEST_LINE = Pattern.compile("([0-9a-fA-F]{64}) [ *](.+)");

    private final ArchiveLimits limits;
    private final long packedBytes;
    private final long maxUnpackedBytes;
    private final long maxNameChars;

    /** Regular files (and hard links, once resolved) by their path in the archive, to their SHA-256. */
    private final Map<String, byte[]> files = new HashMap<>();
    private final Map<String, String> symbolicLinks = new LinkedHashMap<>();
    private final Map<String, String> hardLinks = new LinkedHashMap<>();
    private final Set<String> directories = new HashSet<>();
    private final ByteArrayOutputStream manifest = new ByteArrayOutputStream();
    private boolean hasManifest;
    private long entries;
    private long nameChars;

    private ArchiveCheck(long packedBytes, ArchiveLimits limits) {
        this.limits = limits;
        this.packedBytes = packedBytes;
        this.maxUnpackedBytes = Math.min(limits.maxUnpackedBytes(), limits.byRatio(packedBytes));
        this.maxNameChars = limits.maxEntries() > Long.MAX_VALUE / NAME_CHARS_PER_ENTRY ? Long.MAX_VALUE
                : limits.maxEntries() * NAME_CHARS_PER_ENTRY;
    }

    /**
     * Reads the whole artifact, unless it is refused on the way; does not close it.
     *
     * @param packedBytes the artifact's size, for its compression ratio
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} naming the offending entry, or the limit
     *                          passed with the figures and the setting that raises it
     */
    static void verify(InputStream artifact, long packedBytes, ArchiveLimits limits) {
        new ArchiveCheck(packedBytes, limits).check(artifact);
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
        MeteredInputStream unpacked = new MeteredInputStream(gzip);
        String last = null;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(unpacked)) {
            TarArchiveEntry entry;
            while ((entry = next(tar, unpacked, last)) != null) {
                if (++entries > limits.maxEntries()) {
                    throw invalid("it holds more than " + limits.maxEntries() + " entries (entry " + entries
                            + " is '" + entry.getName() + "'); the store accepts at most " + limits.maxEntries()
                            + ": raise maxEntries in etc/" + VfsReleaseStore.PID + ".cfg if the release needs more");
                }
                record(entry, tar);
                last = entry.getName();
            }
            // the gzip trailer, and with it the CRC of the whole stream, is checked only once read
            IOUtils.consume(unpacked);
        } catch (IOException e) {
            throw invalid(last == null ? "not a gzip tar archive (" + e.getMessage() + ")"
                    : "the archive is damaged after entry '" + last + "' (" + e.getMessage() + ")");
        }
        if (last == null) {
            throw invalid("not a gzip tar archive (it holds no tar entries)");
        }
    }

    /** The next entry, its headers held to {@value #MAX_HEADER_BYTES} bytes while commons-compress reads them. */
    private TarArchiveEntry next(TarArchiveInputStream tar, MeteredInputStream unpacked, String last)
            throws IOException {
        long headersEnd = unpacked.count() + MAX_HEADER_BYTES;
        if (headersEnd < maxUnpackedBytes) {
            unpacked.limit(headersEnd, count -> invalid("the tar headers " + (last == null ? "of the first entry"
                    : "after '" + last + "'") + " take more than " + MAX_HEADER_BYTES + " bytes (a long name, a long "
                    + "link or PAX headers); no release needs that many"));
        } else {
            unpacked.limit(maxUnpackedBytes, this::tooLarge);
        }
        TarArchiveEntry entry = tar.getNextEntry();
        unpacked.limit(maxUnpackedBytes, this::tooLarge);
        return entry;
    }

    private FleetupException tooLarge(long count) {
        if (maxUnpackedBytes == limits.maxUnpackedBytes()) {
            return invalid("it unpacks to more than " + maxUnpackedBytes + " bytes (" + displaySize(maxUnpackedBytes)
                    + "; the check stopped at " + count + "), the most the store accepts: raise maxUnpackedBytes in "
                    + "etc/" + VfsReleaseStore.PID + ".cfg if the release needs more");
        }
        return invalid("it unpacks to more than " + maxUnpackedBytes + " bytes from " + packedBytes + " packed "
                + "bytes (the check stopped at " + count + "), more than " + limits.maxCompressionRatio()
                + " times its size, the highest compression ratio the store accepts past "
                + displaySize(ArchiveLimits.RATIO_FREE_BYTES) + ": raise maxCompressionRatio in etc/"
                + VfsReleaseStore.PID + ".cfg if the release is meant to compress that well");
    }

    private void record(TarArchiveEntry entry, InputStream content) throws IOException {
        String name = entry.getName();
        if (!entry.isCheckSumOK()) {
            throw invalid("the tar header of '" + name + "' is damaged: its checksum does not match its bytes; "
                    + "pack the release again");
        }
        checkOtherPaxHeaders(entry);
        String path = normalize(name);
        keepName(path);
        if (files.containsKey(path) || symbolicLinks.containsKey(path) || hardLinks.containsKey(path)
                || directories.contains(path)) {
            throw invalid("the archive holds '" + name + "' more than once; each path may appear only once");
        }
        byte type = entry.getLinkFlag();
        if (entry.isSparse()) {
            throw invalid("'" + name + "' is a sparse file; a release may hold only plain files, directories and "
                    + "links (pack it without --sparse)");
        } else if (entry.isSymbolicLink()) {
            String target = entry.getLinkName();
            if (target.isEmpty() || target.startsWith("/")) {
                throw invalid("symbolic link '" + name + "' points to '" + target
                        + "'; links must be relative and stay inside the archive");
            }
            keepName(target);
            symbolicLinks.put(path, target);
        } else if (entry.isLink()) {
            String target = entry.getLinkName();
            if (target.isEmpty() || target.startsWith("/")) {
                throw invalid("hard link '" + name + "' points to '" + target
                        + "'; links must be relative and stay inside the archive");
            }
            keepName(target);
            hardLinks.put(path, target);
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            throw invalid("'" + name + "' is a device or FIFO; a release may hold only files, directories and links");
        } else if (entry.isDirectory()) {
            checkOwnerCanChange(entry);
            directories.add(path);
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

    private static void checkOtherPaxHeaders(TarArchiveEntry entry) {
        Map<String, String> others = entry.getExtraPaxHeaders();
        long chars = others.entrySet().stream().mapToLong(h -> h.getKey().length() + h.getValue().length()).sum();
        if (others.size() > MAX_OTHER_PAX_HEADERS || chars > MAX_HEADER_BYTES) {
            throw invalid("'" + entry.getName() + "' carries " + others.size() + " PAX headers (" + chars
                    + " characters) that a release does not use; at most " + MAX_OTHER_PAX_HEADERS + " and "
                    + MAX_HEADER_BYTES + " characters are accepted");
        }
    }

    /**
     * A directory unpacks with the archive's mode minus the server's umask ({@code tar --no-same-permissions}): one
     * its owner may not change would make moving the release into place, and removing it, fail on the server.
     */
    private static void checkOwnerCanChange(TarArchiveEntry entry) {
        int mode = entry.getMode() & 07777;
        if ((mode & OWNER_RWX) != OWNER_RWX) {
            throw invalid("directory '" + entry.getName() + "' has mode 0" + Integer.toOctalString(mode)
                    + ": its owner may not read, write and enter it, so no server could move the release into place "
                    + "or remove it. Give every directory u+rwx before packing (chmod -R u+rwX on the release's "
                    + "tree) and add the release again");
        }
    }

    private void keepName(String name) {
        nameChars += name.length();
        if (nameChars > maxNameChars) {
            throw invalid("its paths and link targets add up to more than " + maxNameChars + " characters, "
                    + NAME_CHARS_PER_ENTRY + " for each of the " + limits.maxEntries() + " entries the store accepts: "
                    + "raise maxEntries in etc/" + VfsReleaseStore.PID + ".cfg if the release needs paths that long");
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

    private static byte[] sha256(InputStream content, OutputStream copy) throws IOException {
        DigestInputStream digesting = new DigestInputStream(content, sha256());
        IOUtils.copyLarge(digesting, copy);
        return digesting.getMessageDigest().digest();
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
            byte[] hash = files.get(resolved);
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
        Map<String, byte[]> listed = new LinkedHashMap<>();
        Iterator<String> lines = manifest.toString(StandardCharsets.UTF_8).lines().iterator();
        for (int number = 1; lines.hasNext(); number++) {
            String line = lines.next().strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher matcher = MANIFEST_LINE.matcher(line);
            if (!matcher.matches()) {
                throw invalid(MANIFEST + " line " + number + " is not '<sha256>  <path>' as sha256sum writes it");
            }
            String path = normalize(matcher.group(2));
            if (path.equals(MANIFEST)) {
                // "sha256sum * > MANIFEST.sha256" lists the manifest as it was while being written
                continue;
            }
            if (listed.put(path, HexFormat.of().parseHex(matcher.group(1))) != null) {
                throw invalid(MANIFEST + " lists '" + path + "' more than once");
            }
        }
        listed.forEach((path, expected) -> {
            byte[] actual = files.get(path);
            if (actual == null && symbolicLinks.containsKey(path)) {
                actual = files.get(resolve(path, path));
            }
            if (actual == null) {
                throw invalid(MANIFEST + " lists '" + path + "', which is not a file of the archive");
            }
            if (!Arrays.equals(actual, expected)) {
                throw invalid("'" + path + "' does not match " + MANIFEST + ": its SHA-256 is "
                        + HexFormat.of().formatHex(actual) + ", the manifest says " + HexFormat.of().formatHex(expected));
            }
        });
        for (String path : files.keySet()) {
            if (!path.equals(MANIFEST) && !listed.containsKey(path)) {
                throw invalid("'" + path + "' is not listed in " + MANIFEST + "; every file of the archive must be");
            }
        }
    }

    private static String displaySize(long bytes) {
        return FileUtils.byteCountToDisplaySize(bytes);
    }

    private static FleetupException invalid(String why) {
        return new FleetupException(FleetupException.RELEASE_INVALID, why);
    }
}
