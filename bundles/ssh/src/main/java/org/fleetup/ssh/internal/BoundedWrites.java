package org.fleetup.ssh.internal;

import java.io.IOException;
import java.io.InterruptedIOException;

import org.apache.sshd.common.channel.Channel;
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
 */
final class BoundedWrites implements ChannelStreamWriter {

    /** Eight packets of 32 KiB: a loopback socket stays busy, and fifty transfers queue at most 12.5 MiB. */
    static final int LIMIT = 256 * 1024;

    /** How often a writer held back looks whether its channel closed meanwhile (its write futures then never end). */
    private static final long RECHECK_MILLIS = 1000;

    private final Channel channel;
    private final ChannelStreamWriter delegate;
    private long pending;

    BoundedWrites(Channel channel) {
        this.channel = channel;
        this.delegate = new DefaultChannelStreamWriter(channel);
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
        while (pending >= LIMIT) {
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

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
