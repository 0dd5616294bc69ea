package org.fleetup.ssh.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code cap} bytes written and drops the rest, so that a command printing without end cannot
 * exhaust the controller's memory. Written to by one SSH I/O thread, read once the command has ended.
 */
final class CappedOutputStream extends OutputStream {

    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final int cap;
    private long dropped;

    CappedOutputStream(int cap) {
        this.cap = cap;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        int room = Math.max(0, cap - kept.size());
        int keep = Math.min(room, length);
        kept.write(bytes, offset, keep);
        dropped += length - keep;
    }

    /** What was kept, as UTF-8, with a last line saying how much was dropped if anything was. */
    synchronized String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        return dropped == 0 ? text : text + "\n[" + dropped + " more bytes of output dropped]";
    }
}
