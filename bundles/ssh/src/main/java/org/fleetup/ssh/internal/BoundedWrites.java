package org.fleetup.ssh.internal;

import java.io.IOException;
import java.io.InterruptedIOException;

import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.RemoteWindow;
import org.apache.sshd.common.channel.throttle.ChannelStreamWriter;
import org.apache.sshd.common.channel.throttle.DefaultChannelStreamWriter;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * A channel's writer that holds the writing thread back while {@link #LIMIT} bytes or more that it wrote still wait for
 * the socket. MINA's {@code ChannelOutputStream} hands each packet to the session and goes on at once, bounded only by
 * the server's window: a command's input sent faster than the server takes it queues up to that window (2 MiB with
 * OpenSSH) a channel, encrypted, on the controller's heap. Fifty transfers at once kept 40 MB more alive than the
 * rollout needs, and a 192 MB controller collected its whole heap every few seconds (bench/README.md, "The collector").
 * The server's window still decides how much is on its way; this only keeps the rest of it off the heap.
 *
 * <p>With a backlog limit, the writer is also held back while the server holds that much of the input that its
 * command has not taken yet: what the server has not confirmed by a window adjustment. OpenSSH keeps that backlog in
 * one buffer a channel, which it grows 32 KiB at a time by copying it whole (a {@code recallocarray} per growth in its
 * {@code sshbuf}): a command that reads slower than the controller sends, as a {@code cat} writing to a busy disk on a
 * loaded machine does, let a full 2 MiB window pile up there, and the server's {@code sshd} copied about 40 times the
 * file it was sent (perf, bench/README.md "The servers' side"). OpenSSH confirms what its command took as soon as more
 * than three packets' worth is unconfirmed, so a limit of four packets or more never holds a writer back for good.
 */
final class BoundedWrites implements ChannelStreamWriter {

    /** Eight packets of 32 KiB: a loopback socket stays busy, and fifty transfers queue at most 12.5 MiB. */
    static final int LIMIT = 256 * 1024;

    /** How often a writer held back looks whether its channel closed meanwhile (its write futures then never end). */
    private static final long RECHECK_MILLIS = 1000;

    private final Channel channel;
    private final ChannelStreamWriter delegate;
    private final long backlogLimit;
    private long pending;
    private long mostGranted;

    /**
     * @param backlogLimit the most the server may hold of what was written that its command has not taken yet; 0 for
     *        no such bound (the server's window alone). Raised to four of the server's packets when below them.
     */
    BoundedWrites(Channel channel, long backlogLimit) {
        this.channel = channel;
        this.delegate = new DefaultChannelStreamWriter(channel);
        this.backlogLimit = backlogLimit;
    }

    @Override
    public IoWriteFuture writeData(Buffer buffer) throws IOException {
        int size = buffer.available();
        reserve(size);
        IoWriteFuture written = delegate.writeData(buffer);
        written.addListener(future -> release(size));
        return written;
    }

    private synchronized void reserve(int size) throws IOException {
        // below the limit a packet goes whatever its size, so that no packet waits for room it can never have
        while (pending >= LIMIT || serverHoldsTooMuch(size)) {
            if (!channel.isOpen() || channel.isClosing()) {
                throw new IOException("the channel closed with " + pending + " bytes still to be sent");
            }
            try {
                wait(RECHECK_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted with " + pending + " bytes still to be sent");
            }
        }
        pending += size;
    }

    private synchronized void release(int size) {
        pending -= size;
        notifyAll();
    }

    /** Told by the channel when the server has adjusted its window: it confirmed taking some of the input. */
    synchronized void serverTookSome() {
        mostGranted = Math.max(mostGranted, channel.getRemoteWindow().getSize());
        notifyAll();
    }

    /**
     * Whether the server holds the limit or more of the input before this packet. What the server holds unconfirmed
     * is the most it ever granted less the window now (OpenSSH grants a session's whole window once its command
     * runs, and then gives back what the command takes); the channel has already taken this packet's size from that
     * window.
     */
    private boolean serverHoldsTooMuch(int size) {
        if (backlogLimit <= 0) {
            return false;
        }
        RemoteWindow window = channel.getRemoteWindow();
        mostGranted = Math.max(mostGranted, window.getSize() + size);
        long before = mostGranted - window.getSize() - size;
        return before >= Math.max(backlogLimit, 4 * window.getPacketSize());
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
