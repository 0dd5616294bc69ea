package org.fleetup.bench.scale;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Collection;

import org.apache.sshd.server.SshServer;

/**
 * An SSH server listening on many addresses at once: MINA's acceptor binds any number of them (one server channel
 * each), all served by the same few I/O threads. {@link SshServer#start} binds one; the rest are added here.
 */
final class MultiPortServer extends SshServer {

    void bindMore(Collection<? extends SocketAddress> addresses) throws IOException {
        if (acceptor == null) {
            throw new IllegalStateException("start the server first");
        }
        acceptor.bind(addresses);
    }
}
