package org.fleetup.simulator.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
import org.fleetup.simulator.DemoApplication;
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
    // How often the watches of a host's faults look at its files: "right after" a switch, well within a command.
    private static final long WATCH_MILLIS = 10;

    private final String user;
    private final PublicKey clientKey;
    private final FaultSettings settings;
    private final Executor commandPumps;
    private final ScheduledExecutorService watches;

    /**
     * @param user the only user who may log in
     * @param clientKey the only key that user may log in with
     * @param commandPumps runs the stream copies of commands, shared by every host
     * @param watches runs the watches and timers of the hosts' faults, shared by every host
     */
    public HostLauncher(String user, PublicKey clientKey, FaultSettings settings, Executor commandPumps,
                        ScheduledExecutorService watches) {
        this.user = user;
        this.clientKey = clientKey;
        this.settings = settings;
        this.commandPumps = commandPumps;
        this.watches = watches;
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
        String hostKey = PublicKeyEntry.toString(keys.get(0).getPublic());
        Set<Fault> faults = spec.faults();
        List<AutoCloseable> stops = new ArrayList<>();
        prepareFiles(root, spec, stops);

        int port;
        if (faults.contains(Fault.HUNG)) {
            HungListener hung = new HungListener(name);
            stops.add(0, hung);
            port = hung.port();
        } else {
            HostServer server = new HostServer(name, root, p -> newServer(name, root, hostKeys, spec, p));
            port = server.start();
            stops.add(0, server);
            watch(name, root, faults, server, stops);
        }
        SimulatedHost host = new SimulatedHost(name, port, root, spec.version(), faults, hostKey);
        LOGGER.info("Simulated host {} listens on {}:{} (demo-app {}, faults {})", name, LOOPBACK, port,
                spec.version(), faults);
        // The watches stop first, then the server; the files its faults locked are writable again last.
        List<AutoCloseable> inOrder = new ArrayList<>(stops);
        Collections.reverse(inOrder);
        return new RunningHost(host, () -> {
            for (AutoCloseable stop : inOrder) {
                stop.close();
            }
        });
    }

    /** Makes writable again what the faults of a host could have locked under {@code root}. */
    public static void unlockFaults(Path root) {
        Path product = root.resolve(DemoApplication.PRODUCT);
        FaultFiles.unlock(product.resolve("releases"));
        FaultFiles.unlock(product);
    }

    private void prepareFiles(Path root, HostSpec spec, List<AutoCloseable> stops) throws IOException {
        Set<Fault> faults = spec.faults();
        Path product = root.resolve(DemoApplication.PRODUCT);
        FaultFiles.healthHook(root, faults, spec.version());
        if (faults.contains(Fault.ROLLBACK_FAILS)) {
            stops.add(() -> FaultFiles.unlock(product));
        }
        if (faults.contains(Fault.READ_ONLY)) {
            Path releases = product.resolve("releases");
            FaultFiles.lock(releases);
            stops.add(() -> FaultFiles.unlock(releases));
        }
        if (faults.contains(Fault.BUSY)) {
            FaultFiles.busyMarker(root);
            ScheduledFuture<?> free = watches.schedule(() -> {
                try {
                    Files.deleteIfExists(root.resolve(FaultFiles.BUSY));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, settings.busyFor().toMillis(), TimeUnit.MILLISECONDS);
            stops.add(() -> free.cancel(false));
        }
        if (faults.contains(Fault.REBOOT)) {
            // Only a host that reboots has a boot id: the root of any other stays as its spec says.
            FaultFiles.newBootId(root);
            FaultFiles.rebootCommand(root);
        }
    }

    private void watch(String name, Path root, Set<Fault> faults, HostServer server, List<AutoCloseable> stops) {
        if (faults.contains(Fault.DROP_AFTER_SWITCH)) {
            SwitchWatch watch = new SwitchWatch(name, root.resolve(DemoApplication.PRODUCT).resolve("current"),
                    server::closeSessions);
            ScheduledFuture<?> polling = watches.scheduleWithFixedDelay(watch, 0, WATCH_MILLIS,
                    TimeUnit.MILLISECONDS);
            stops.add(() -> polling.cancel(false));
        }
        if (faults.contains(Fault.REBOOT)) {
            Path requested = root.resolve(FaultFiles.REBOOT_REQUESTED);
            Duration downFor = settings.rebootFor();
            ScheduledFuture<?> polling = watches.scheduleWithFixedDelay(() -> {
                if (HostServer.consume(requested)) {
                    server.reboot(downFor, watches);
                }
            }, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
            stops.add(() -> polling.cancel(false));
        }
    }

    private SshServer newServer(String name, Path root, SimpleGeneratorHostKeyProvider hostKeys, HostSpec spec,
                                int port) {
        SshServer server = SshServer.setUpDefaultServer();
        CoreModuleProperties.NIO_WORKERS.set(server, IO_THREADS);
        server.setHost(LOOPBACK);
        server.setPort(port);
        server.setKeyPairProvider(hostKeys);
        server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
        server.setPublickeyAuthenticator((username, key, session) ->
                user.equals(username) && KeyUtils.compareKeys(clientKey, key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        WriteFaults faults = new WriteFaults(name, spec.faults(), settings.dropAfterBytes(), settings.diskQuotaBytes());
        if (!spec.faults().contains(Fault.SFTP_ONLY)) {
            // Without a command factory MINA refuses every exec request: a server that offers SFTP only.
            server.setCommandFactory(new ShellCommandFactory(root, user, commandPumps,
                    spec.faults().contains(Fault.REBOOT), faults));
        }
        SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder()
                .withFileSystemAccessor(new HostRootFileSystemAccessor(root))
                .build();
        sftp.addSftpEventListener(new SftpFaults(faults));
        server.setSubsystemFactories(List.of(sftp));
        if (spec.faults().contains(Fault.REFUSE_CONNECTIONS)) {
            server.addSessionListener(new RefuseConnections(name));
        }
        return server;
    }
}
