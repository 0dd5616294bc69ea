package org.fleetup.ssh.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.ssh.SshSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the sessions of a transport: on a kept connection to the same server when the {@link SessionPool} holds one,
 * else on a new one: connect, verify the host key against the record, log in with the record's key; every way this
 * can fail becomes the {@link FleetupException} that says what to do about it.
 */
public final class SessionOpener implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SessionOpener.class);

    private final SshClient client;
    private final SshSettings settings;
    private final ServerTrust trust;
    private final SessionPool pool;
    private final CipherWarmUp cipherWarmUp = new CipherWarmUp();

    /**
     * @param client a started client, whose timer expires the kept connections
     * @param trust the host key trusted of each server
     */
    public SessionOpener(SshClient client, SshSettings settings, ServerTrust trust) {
        this.client = client;
        this.settings = settings;
        this.trust = trust;
        this.pool = new SessionPool(client.getScheduledExecutorService(), settings.sessionIdle(),
                settings.maxIdleSessions(), settings.connectTimeout());
    }

    public Session open(Server server) {
        SshAddress address = SshAddress.of(server);
        String hostKey = trust.trusted(server).orElse(null);
        ConnectionKey key = ConnectionKey.of(server, address, hostKey);
        ClientSession connection = pool.take(key).orElse(null);
        if (connection != null) {
            LOGGER.debug("Reusing the connection to {} at {}", server.name(), address.hostAndPort());
        } else {
            connection = connect(server, address, hostKey);
        }
        return new SshSession(server.name(), connection, settings,
                (ended, reusable) -> pool.giveBack(key, ended, reusable));
    }

    /**
     * A new authenticated connection of the caller's own, never kept for reuse: for work that is not a
     * {@link Session} (an SFTP-only server, which has no command channel).
     */
    public ClientSession connection(Server server) {
        return connect(server, SshAddress.of(server), trust.trusted(server).orElse(null));
    }

    /** How many connections are kept open for reuse now. */
    public int idleConnections() {
        return pool.size();
    }

    /** Closes the connections kept for reuse; sessions in use are left to their callers (or the client's end). */
    @Override
    public void close() {
        pool.close();
    }

    private ClientSession connect(Server server, SshAddress address, String hostKey) {
        HostKeyCheck check = new HostKeyCheck(HostKeyExpectation.of(server, hostKey));
        KeyPair identity = ClientIdentity.load(server);
        Attempt attempt = new Attempt(server, address, check, identity.getPublic());
        ClientSession session = null;
        try {
            ConnectFuture connecting = client.connect(address.user(), address.host(), address.port(),
                    AttributeRepository.ofKeyValuePair(HostKeyCheck.ATTRIBUTE, check), null);
            if (!connecting.await(settings.connectTimeout())) {
                connecting.cancel();
                throw attempt.unreachable("no answer within " + seconds(settings.connectTimeout()));
            }
            if (!connecting.isConnected()) {
                throw attempt.failed(connecting.getException());
            }
            session = connecting.getSession();
            session.addPublicKeyIdentity(identity);
            AuthFuture auth = session.auth();
            if (!auth.await(settings.authTimeout())) {
                auth.cancel();
                throw attempt.timedOutLoggingIn(settings.authTimeout());
            }
            if (!auth.isSuccess()) {
                throw attempt.failed(auth.getException());
            }
            cipherWarmUp.start(session.getNegotiatedKexParameter(KexProposalOption.C2SENC));
            LOGGER.debug("Connected to {} at {} as {}", server.name(), address.hostAndPort(), address.user());
            return session;
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(session);
            throw attempt.failed(e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static void closeQuietly(ClientSession session) {
        if (session != null) {
            session.close(true);
        }
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /** One connection attempt, to word its failure. */
    private record Attempt(Server server, SshAddress address, HostKeyCheck check, PublicKey clientKey) {

        FleetupException failed(Throwable failure) {
            if (check.refused()) {
                return hostKeyRefused();
            }
            if (failure instanceof SshException ssh
                    && ssh.getDisconnectCode() == SshConstants.SSH2_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE) {
                return new FleetupException(FleetupException.AUTHENTICATION_FAILED, "Server " + server.name()
                        + " at " + address.hostAndPort() + " refused the login of " + address.user()
                        + " with the key " + LoginSettings.keyFile(server) + " (" + KeyUtils.getFingerPrint(clientKey)
                        + "). Check that its public half is in ~" + address.user()
                        + "/.ssh/authorized_keys on the server and that the user exists.", failure);
            }
            return unreachable(reason(failure), failure);
        }

        FleetupException timedOutLoggingIn(Duration timeout) {
            if (check.accepted()) {
                return new FleetupException(FleetupException.AUTHENTICATION_FAILED, "Server " + server.name()
                        + " at " + address.hostAndPort() + " did not finish the login of " + address.user()
                        + " within " + seconds(timeout) + ". Check the server's sshd and its logs.");
            }
            return unreachable("no SSH handshake within " + seconds(timeout));
        }

        FleetupException unreachable(String reason) {
            return unreachable(reason, null);
        }

        private FleetupException unreachable(String reason, Throwable cause) {
            return new FleetupException(FleetupException.SERVER_UNREACHABLE, "Cannot reach " + server.name() + " at "
                    + address.hostAndPort() + ": " + reason + ".", cause);
        }

        private String reason(Throwable failure) {
            Throwable root = failure == null ? null : Causes.root(failure);
            if (root instanceof ConnectException) {
                return "connection refused (nothing listens there, or a firewall rejects it)";
            }
            if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
                return "unknown host name " + address.host();
            }
            if (root instanceof NoRouteToHostException) {
                return "no route to host";
            }
            String detail = root == null ? "connection failed" : Causes.message(root);
            if (!check.accepted()) {
                return "the connection was closed before the SSH handshake finished (" + detail + ")";
            }
            return detail;
        }

        private FleetupException hostKeyRefused() {
            PublicKey presented = check.presented();
            String seen = KeyUtils.getKeyType(presented) + " " + KeyUtils.getFingerPrint(presented);
            String fingerprint = KeyUtils.getFingerPrint(presented);
            if (!check.expected().isKnown()) {
                return new FleetupException(FleetupException.HOST_KEY_UNKNOWN, "Unknown host key for server "
                        + server.name() + " at " + address.hostAndPort() + ": " + seen + ". Check it out of band, then"
                        + " trust it with 'fleet:server-trust " + server.name() + " " + fingerprint + "' or import a"
                        + " known_hosts file with 'fleet:server-import --known-hosts FILE'.");
            }
            return new FleetupException(FleetupException.HOST_KEY_CHANGED, "WARNING: the host key of " + server.name()
                    + " at " + address.hostAndPort() + " has CHANGED: expected " + check.expected().fingerprint()
                    .orElseThrow() + ", the server presented " + seen + ". This is a possible man-in-the-middle attack,"
                    + " or the server was reinstalled. Nothing was sent to it. Check the new key out of band; if it is"
                    + " genuine, trust it with 'fleet:server-trust " + server.name() + " " + fingerprint + "'.");
        }
    }
}
