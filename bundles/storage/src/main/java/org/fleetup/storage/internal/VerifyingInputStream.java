package org.fleetup.storage.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Hashes the bytes of a stored artifact as they are read, and fails the read that reaches the end when they do not
 * hash to the SHA-256 the release was added with: a blob damaged on disk is never passed on as whole. Skipped bytes
 * are read and hashed too, so that a transfer resumed at an offset is still checked. No mark or reset.
 */
final class VerifyingInputStream extends FilterInputStream {

    private final MessageDigest digest = ArchiveCheck.sha256();
    private final String expected;
    private final String description;
    private final String repair;
    /** The hash of everything read, once the end is reached. */
    private String actual;

    /**
     * @param expected the SHA-256 the bytes must have, lower-case hex
     * @param description what the bytes are, for the failure's message ({@code demo-app/2.0.0})
     * @param repair        how to repair them, for the failure's message
     */
    VerifyingInputStream(InputStream blob, String expected, String description, String repair) {
        super(blob);
        this.expected = expected;
        this.description = description;
        this.repair = repair;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b < 0) {
            verify();
        } else {
            digest.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int count = super.read(buffer, offset, length);
        if (count < 0) {
            verify();
        } else {
            digest.update(buffer, offset, count);
        }
        return count;
    }

    @Override
    public long skip(long count) throws IOException {
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(count, 1))];
        long skipped = 0;
        while (skipped < count) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, count - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int limit) {
        // not supported: bytes read twice would be hashed twice
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark and reset are not supported while the artifact is verified");
    }

    private void verify() throws IOException {
        if (actual == null) {
            actual = HexFormat.of().formatHex(digest.digest());
        }
        if (!actual.equals(expected)) {
            throw new IOException("The stored artifact of " + description + " is damaged: its SHA-256 is " + actual
                    + ", not " + expected + " as when it was added. " + repair);
        }
    }
}
