package org.fleetup.simulator.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.Executor;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the SSH server of one simulated host: on a free loopback port, with its own persistent host key, public-key
 * login for the fleet's one user and key only, exec through the real shell in its root, SFTP on the native file
 * system, and the faults of its spec.
 */
public final class HostLauncher {

    private static final Logger LOGGER = LoggerFactory.getLogger(HostLauncher.class);
    private static final String LOOPBACK = "127.0.0.1";
    private static final int HOST_KEY_BITS = 256;
    // A simulated host serves a handful of sessions; the default (one thread per core, plus one) times a fleet of
    // hosts would be threads for nothing.
    private static final int IO_THREADS = 2;

    private final String user;
    private final PublicKey clientKey;
    private final long dropAfterBytes;
    private final long diskQuotaBytes;
    private final Executor commandPumps;

    /**
     * @param user the only user who may log in
     * @param clientKey the only key that user may log in with
     * @param commandPumps runs the stream copies of commands, shared by every host
     */
    public HostLauncher(String user, PublicKey clientKey, long dropAfterBytes, long diskQuotaBytes,
                        Executor commandPumps) {
        this.user = user;
        this.clientKey = clientKey;
        this.dropAfterBytes = dropAfterBytes;
        this.diskQuotaBytes = diskQuotaBytes;
        this.commandPumps = commandPumps;
    }

    /**
     * Starts the server of the host {@code name} whose files are under {@code root}, with the host key kept in
     * {@code hostKeyFile} (made on first use).
     */
    public RunningHost launch(String name, Path root, Path hostKeyFile, HostSpec spec) throws IOException {
        Files.createDirectories(hostKeyFile.getParent());
        SimpleGeneratorHostKeyProvider hostKeys = new SimpleGeneratorHostKeyProvider(hostKeyFile);
        hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
        hostKeys.setKeySize(HOST_KEY_BITS);
        List<KeyPair> keys = hostKeys.loadKeys(null);
        if (keys.isEmpty()) {
            throw new IOException("No host key could be read or made in " + hostKeyFile);
        }

        SshServer server = SshServer.setUpDefaultServer();
        CoreModuleProperties.NIO_WORKERS.set(server, IO_THREADS);
        server.setHost(LOOPBACK);
        server.setPort(0);
        server.setKeyPairProvider(hostKeys);
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator((username, key, session) ->
                user.equals(username) && KeyUtils.compareKeys(clientKey, key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setCommandFactory(new ShellCommandFactory(root, user, commandPumps));
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new HostRootFileSystemAccessor(root))
                .build();
        sftp.addSftpEventListener(new SftpFaults(name, spec.faults(), dropAfterBytes, diskQuotaBytes));
        server.setSubsystemFactories(List.of(sftp));
        if (spec.faults().contains(Fault.REFUSE_CONNECTIONS)) {
            server.addSessionListener(new RefuseConnections(name));
        }
        server.start();

        String hostKey = PublicKeyEntry.toString(keys.get(0).getPublic());
        SimulatedHost host = new SimulatedHost(name, server.getPort(), root, spec.version(), spec.faults(), hostKey);
        LOGGER.info("Simulated host {} listens on {}:{} (demo-app {}, faults {})", name, LOOPBACK, host.port(),
                spec.version(), spec.faults());
        return new RunningHost(host, server);
    }
}
