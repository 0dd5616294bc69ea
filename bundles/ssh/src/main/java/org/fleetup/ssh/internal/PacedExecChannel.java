package org.fleetup.ssh.internal;

import java.io.IOException;
import java.util.Collections;

import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * An exec channel whose input is written by a {@link BoundedWrites} that also hears when the server has taken some of
 * it: each window adjustment the server sends wakes a writer held back by its server's backlog.
 */
final class PacedExecChannel extends ChannelExec {

    private final BoundedWrites writes;

    /**
     * @param command the command, as {@code ClientSession.createExecChannel(command)} would run it
     * @param backlogLimit the most the server may hold of the input that its command has not taken yet; 0 for no
     *        such bound (the server's window alone)
     */
    PacedExecChannel(String command, long backlogLimit) {
        super(command, null, Collections.emptyMap());
        writes = new BoundedWrites(this, backlogLimit);
        setChannelStreamWriterResolver((on, cmd) -> writes);
    }

    @Override
    public void handleWindowAdjust(Buffer buffer) throws IOException {
        super.handleWindowAdjust(buffer);
        writes.serverTookSome();
    }
}
