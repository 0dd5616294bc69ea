package org.fleetup.storage.internal;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.io.IOUtils;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.input.CloseShieldInputStream;
import org.fleetup.api.FleetupException;

/**
 * Checks that a package is what its name says before the store keeps it, so that a server's {@code dpkg} or
 * {@code rpm} is never the first to find out: a {@code .deb} is an {@code ar} archive whose first member is
 * {@code debian-binary} and that holds a {@code control.tar} and a {@code data.tar}; an {@code .rpm} starts with the
 * RPM lead's magic and its header's version is the release's. What the package installs is the package manager's
 * business on the server, not checked here.
 */
final class PackageCheck {

    private static final String DEBIAN_BINARY = "debian-binary";
    private static final int AR_MAGIC_BYTES = 8;
    private static final int AR_NAME_BYTES = 16;
    private static final byte[] RPM_LEAD_MAGIC = {(byte) 0xed, (byte) 0xab, (byte) 0xee, (byte) 0xdb};
    private static final byte[] RPM_HEADER_MAGIC = {(byte) 0x8e, (byte) 0xad, (byte) 0xe8, 0x01};
    private static final int RPM_LEAD_BYTES = 96;
    private static final int RPMTAG_VERSION = 1001;
    private static final int RPM_STRING_TYPE = 6;
    /** rpm's own bound on a header's index, far above any real package's. */
    private static final int RPM_MAX_INDEX_ENTRIES = 0x10000 * 16;
    private static final int RPM_MAX_HEADER_BYTES = 256 * 1024 * 1024;
    private static final int RPM_MAX_VERSION_BYTES = 1024;

    private PackageCheck() {
    }

    /** Reads the package's members one after the other; does not close it. */
    static void deb(InputStream artifact) {
        String expected = "a Debian package (an ar archive whose first member is debian-binary, as dpkg-deb "
                + "--build makes it)";
        boolean control = false;
        boolean data = false;
        BufferedInputStream raw = new BufferedInputStream(CloseShieldInputStream.wrap(artifact));
        try (ArArchiveInputStream ar = new ArArchiveInputStream(raw)) {
            requireShortName(raw, AR_MAGIC_BYTES);
            ArArchiveEntry first = ar.getNextEntry();
            if (first == null) {
                throw invalid("it is not " + expected + ": it holds no member");
            }
            if (!first.getName().equals(DEBIAN_BINARY)) {
                throw invalid("it is not " + expected + ": its first member is '" + first.getName() + "'");
            }
            for (ArArchiveEntry entry = first; entry != null; entry = ar.getNextEntry()) {
                control |= entry.getName().startsWith("control.tar");
                data |= entry.getName().startsWith("data.tar");
                // To the entry's end, so that the next header can be looked at before ar reads it.
                IOUtils.consume(ar);
                requireShortName(raw, (int) (entry.getLength() % 2));
            }
        } catch (IOException e) {
            throw invalid("it is not " + expected + ": " + e.getMessage());
        }
        if (!control || !data) {
            throw invalid("it is not a whole Debian package: it has no " + (control ? "data.tar" : "control.tar")
                    + " member");
        }
    }

    /**
     * Refuses a GNU ({@code //}) or BSD ({@code #1/}) long-name member before Commons Compress reads it: it would hold
     * the whole member in memory, as large as the upload, and no Debian package has one (its names are short).
     *
     * @param skip the bytes before the next header's name: the ar magic, or an odd member's padding
     */
    private static void requireShortName(BufferedInputStream raw, int skip) throws IOException {
        raw.mark(skip + AR_NAME_BYTES);
        IOUtils.skip(raw, skip);
        byte[] name = new byte[AR_NAME_BYTES];
        int read = IOUtils.read(raw, name);
        raw.reset();
        String found = new String(name, 0, read, StandardCharsets.US_ASCII);
        if (found.startsWith("//") || found.startsWith("#1/")) {
            throw invalid("it is not a Debian package: it has a member with a long name ('" + found.strip()
                    + "'), which dpkg-deb never makes");
        }
    }

    /**
     * Reads the lead and the headers up to the version, then the rest.
     *
     * @param version the release's version, which the package's must be (as the package strategy checks on the
     *                server): a package added under another version is refused here
     */
    static void rpm(InputStream artifact, String version) {
        DataInputStream in = new DataInputStream(artifact);
        try {
            byte[] lead = new byte[RPM_LEAD_BYTES];
            int read = IOUtils.read(in, lead);
            byte[] magic = Arrays.copyOf(lead, RPM_LEAD_MAGIC.length);
            if (read < RPM_LEAD_BYTES || !Arrays.equals(magic, RPM_LEAD_MAGIC)) {
                throw invalid("it is not an RPM package: an .rpm starts with the RPM lead's magic ed ab ee db, this "
                        + "file with " + (read <= 0 ? "nothing" : HexFormat.ofDelimiter(" ").formatHex(magic, 0,
                        Math.min(read, RPM_LEAD_MAGIC.length))) + (read < RPM_LEAD_BYTES ? " and it is shorter than "
                        + "the " + RPM_LEAD_BYTES + "-byte lead" : ""));
            }
            skipHeader(in, "signature", true);
            String packaged = version(in);
            if (packaged == null) {
                throw invalid("the RPM package's header has no version");
            }
            if (!packaged.equals(version)) {
                throw invalid("the RPM package is version '" + packaged + "', not the release's " + version
                        + ": add it under its own version");
            }
            IOUtils.consume(in);
        } catch (EOFException e) {
            throw invalid("the RPM package is cut short inside its headers");
        } catch (IOException e) {
            throw invalid("the RPM package could not be read (" + e.getMessage() + ")");
        }
    }

    /** Skips a header; the signature header is padded to 8 bytes. */
    private static void skipHeader(DataInputStream in, String which, boolean padded) throws IOException {
        int[] sizes = headerSizes(in, which);
        long bytes = 16L * sizes[0] + sizes[1];
        if (padded) {
            bytes += (8 - sizes[1] % 8) % 8;
        }
        IOUtils.skipFully(in, bytes);
    }

    /** Reads the main header's index for {@code VERSION}, then its string in the data; {@code null} if none. */
    private static String version(DataInputStream in) throws IOException {
        int[] sizes = headerSizes(in, "main");
        long offset = -1;
        for (int i = 0; i < sizes[0]; i++) {
            int tag = in.readInt();
            int type = in.readInt();
            int at = in.readInt();
            in.readInt();
            if (tag == RPMTAG_VERSION && type == RPM_STRING_TYPE && offset < 0) {
                offset = at;
            }
        }
        if (offset < 0 || offset >= sizes[1]) {
            return null;
        }
        IOUtils.skipFully(in, offset);
        byte[] string = BoundedInputStream.builder().setInputStream(CloseShieldInputStream.wrap(in))
                .setMaxCount(Math.min(RPM_MAX_VERSION_BYTES, sizes[1] - offset)).get().readAllBytes();
        int end = 0;
        while (end < string.length && string[end] != 0) {
            end++;
        }
        return end == string.length ? null : new String(string, 0, end, StandardCharsets.UTF_8);
    }

    /** The header's magic, then its index entries and data bytes, each within rpm's bounds. */
    private static int[] headerSizes(DataInputStream in, String which) throws IOException {
        byte[] magic = new byte[8];
        in.readFully(magic);
        if (!Arrays.equals(Arrays.copyOf(magic, 4), RPM_HEADER_MAGIC)) {
            throw invalid("the RPM package's " + which + " header is damaged (no header magic 8e ad e8 01)");
        }
        int entries = in.readInt();
        int bytes = in.readInt();
        if (entries < 0 || entries > RPM_MAX_INDEX_ENTRIES || bytes < 0 || bytes > RPM_MAX_HEADER_BYTES) {
            throw invalid("the RPM package's " + which + " header claims " + entries + " entries and " + bytes
                    + " bytes, more than rpm reads");
        }
        return new int[] {entries, bytes};
    }

    private static FleetupException invalid(String why) {
        return new FleetupException(FleetupException.RELEASE_INVALID, why);
    }
}
