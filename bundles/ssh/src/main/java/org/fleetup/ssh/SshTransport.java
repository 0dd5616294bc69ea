package org.fleetup.ssh;

import java.io.IOException;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.ssh.internal.ClientSetup;
import org.fleetup.ssh.internal.SessionOpener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches servers over SSH with one Apache MINA SSHD client: a host key is accepted only when it is the one trusted
 * of the server ({@link ServerTrust}), login is by the record's private key only, and each {@link Session} is one
 * connection carrying its commands and its SFTP transfers. A closed session's connection is kept open for
 * {@link SshSettings#sessionIdle()}, and the next session to the same server (same record and trusted key) uses it
 * instead of paying a new handshake. Usable without OSGi; close it to stop the client and its connections.
 */
public final class SshTransport implements Transport, AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SshTransport.class);

    private final SshClient client;
    private final SessionOpener opener;

    /** @param trust the host key trusted of each server, read at each connection; none known, none connected to */
    public SshTransport(SshSettings settings, ServerTrust trust) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(trust, "trust");
        this.client = ClientSetup.newClient(settings);
        this.client.start();
        this.opener = new SessionOpener(client, settings, trust);
    }

    @Override
    public Session connect(Server server) {
        Objects.requireNonNull(server, "server");
        return opener.open(server);
    }

    /** The login: {@code user} and {@code keyfile}. */
    @Override
    public Set<String> settings() {
        return SshLogin.settings();
    }

    /** No setting but the login's, and a login that can work ({@link SshLogin#validate}). */
    @Override
    public void validate(Server server) {
        Transport.super.validate(server);
        SshLogin.validate(server);
    }

    /** Commands and files, over one connection. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.COMMANDS, Capability.FILES);
    }

    /**
     * An SFTP channel alone on a new connection to the server, opened as {@link #connect} opens one (host key against
     * the trusted one, key login): for a server that offers SFTP and no shell. Never reused; closing it closes the
     * connection.
     *
     * @throws FleetupException as {@link #connect}, or {@link FleetupException#TRANSPORT_FAILED} when the server
     *         opens no SFTP channel
     */
    public SftpConnection openSftp(Server server) {
        Objects.requireNonNull(server, "server");
        ClientSession session = opener.connection(server);
        try {
            return new SftpConnection(session, SftpClientFactory.instance().createSftpClient(session));
        } catch (IOException e) {
            session.close(true);
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Server " + server.name() + " ("
                    + server.address() + ") accepted the login but opened no SFTP channel: " + e.getMessage()
                    + ". Check that its sshd offers the sftp subsystem (Subsystem sftp internal-sftp).", e);
        }
    }

    /** How many connections of closed sessions are kept open now, waiting for the next session to their server. */
    public int idleSessions() {
        return opener.idleConnections();
    }

    /** Closes the idle connections and stops the client, which closes every session still open. */
    @Override
    public void close() {
        opener.close();
        try {
            client.close();
        } catch (IOException e) {
            LOGGER.warn("Stopping the SSH client did not go cleanly: {}", e.getMessage());
        }
    }
}
