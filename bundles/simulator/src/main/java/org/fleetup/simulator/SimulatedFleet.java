package org.fleetup.simulator;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.apache.commons.io.file.PathUtils;
import org.apache.sshd.common.util.threads.CloseableExecutorService;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.internal.ClientKeyFiles;
import org.fleetup.simulator.internal.FaultSettings;
import org.fleetup.simulator.internal.HostLauncher;
import org.fleetup.simulator.internal.RunningHost;

/**
 * A fleet of simulated servers: each a real SSH server (Apache MINA SSHD) on its own loopback port, with its own root
 * directory (also its {@code $HOME}) holding the {@link DemoApplication}, its own host key, real commands through
 * {@code /bin/sh -c} and SFTP on the real file system, and the faults of its {@link HostSpec}.
 *
 * <p>Under {@code baseDir}: {@code client_key} and {@code client_key.pub}, the one key pair that logs in as
 * {@link #user()} everywhere (kept when it exists already); {@code hostkeys/<name>}, each host's key, kept so that a
 * restarted host keeps its identity; {@code known_hosts}, a line per started host; {@code <name>/}, each host's root,
 * emptied when the host starts. Closing stops the servers and leaves the files.
 */
public final class SimulatedFleet implements AutoCloseable {

    /** How many bytes one session may write over SFTP to a {@code DROP_CONNECTION} host before it is broken. */
    public static final long DEFAULT_DROP_AFTER_BYTES = 96 * 1024;

    /** How many bytes may be written over SFTP to a {@code DISK_FULL} host before its disk is full. */
    public static final long DEFAULT_DISK_QUOTA_BYTES = 64 * 1024;

    /** How long a {@code BUSY} host's marker stays by default, in seconds. */
    public static final long DEFAULT_BUSY_SECONDS = 5;

    /** How long a {@code REBOOT} host stays down by default, in seconds. */
    public static final long DEFAULT_REBOOT_SECONDS = 3;

    public static final String USER = "fleetup";
    public static final String CLUSTER = "simulated";

    /** The server attribute that holds a host's root directory. */
    public static final String ROOT_ATTRIBUTE = "root";

    /** The server attribute, {@code true}, that marks the records the simulator made, the only ones it changes. */
    public static final String SIMULATED_ATTRIBUTE = "simulated";

    /** What was trusted or forgotten over a host's own key, by server name: a value, or empty for none. */
    private final Map<String, Optional<String>> trusted = new ConcurrentHashMap<>();
    private final ServerTrust trust = new ServerTrust() {

        @Override
        public Optional<String> trusted(Server server) {
            Optional<String> recorded = trusted.get(server.name());
            return recorded != null ? recorded : ownKey(server);
        }

        @Override
        public void trust(Server server, String value) {
            trusted.put(server.name(), Optional.of(value));
        }

        @Override
        public boolean forget(String server) {
            return trusted.put(server, Optional.empty()) != null;
        }
    };

    private static final String LOOPBACK = "127.0.0.1";
    private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Path baseDir;
    private final Path clientKey;
    private final CloseableExecutorService commandPumps;
    private final ScheduledExecutorService faultWatches;
    private final HostLauncher launcher;
    private final List<RunningHost> running = new ArrayList<>();
    private boolean closed;

    public SimulatedFleet(Path baseDir) {
        this(baseDir, DEFAULT_DROP_AFTER_BYTES, DEFAULT_DISK_QUOTA_BYTES);
    }

    /**
     * @param dropAfterBytes how many bytes one session may write over SFTP to a {@code DROP_CONNECTION} host
     * @param diskQuotaBytes how many bytes may be written over SFTP to a {@code DISK_FULL} host in all
     */
    public SimulatedFleet(Path baseDir, long dropAfterBytes, long diskQuotaBytes) {
        this(baseDir, dropAfterBytes, diskQuotaBytes, Duration.ofSeconds(DEFAULT_BUSY_SECONDS),
                Duration.ofSeconds(DEFAULT_REBOOT_SECONDS));
    }

    /**
     * @param dropAfterBytes how many bytes one session may write over SFTP to a {@code DROP_CONNECTION} host
     * @param diskQuotaBytes how many bytes may be written over SFTP to a {@code DISK_FULL} host in all
     * @param busyFor how long the busy marker of a {@code BUSY} host stays
     * @param rebootFor how long a {@code REBOOT} host stays down after a {@code reboot}
     */
    public SimulatedFleet(Path baseDir, long dropAfterBytes, long diskQuotaBytes, Duration busyFor,
                          Duration rebootFor) {
        if (dropAfterBytes < 0 || diskQuotaBytes < 0) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The simulator's byte limits must be zero or"
                    + " more, not dropAfterBytes=" + dropAfterBytes + ", diskQuotaBytes=" + diskQuotaBytes + ".");
        }
        if (busyFor.isNegative() || rebootFor.isNegative()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The simulator's times must be zero or more,"
                    + " not busySeconds=" + busyFor.toSeconds() + ", rebootSeconds=" + rebootFor.toSeconds() + ".");
        }
        this.baseDir = Objects.requireNonNull(baseDir, "baseDir").toAbsolutePath().normalize();
        this.clientKey = this.baseDir.resolve("client_key");
        PublicKey authorizedKey;
        try {
            Files.createDirectories(this.baseDir);
            authorizedKey = ClientKeyFiles.loadOrCreate(clientKey).getPublic();
        } catch (IOException | GeneralSecurityException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not prepare the simulated fleet in "
                    + this.baseDir + ": " + e.getMessage() + ". Check that the directory is writable.", e);
        }
        // One pool for the streams of every command of every host: its threads are reused from command to command.
        this.commandPumps = ThreadUtils.newCachedThreadPool("fleetup-simulator-commands");
        // One thread for the watches and timers of every host's faults: each is a short look at a file.
        this.faultWatches = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fleetup-simulator-faults");
            thread.setDaemon(true);
            return thread;
        });
        this.launcher = new HostLauncher(USER, authorizedKey,
                new FaultSettings(dropAfterBytes, diskQuotaBytes, busyFor, rebootFor), commandPumps, faultWatches);
    }

    /**
     * Starts one server per spec, named {@code <prefix>-01}, {@code <prefix>-02}, ... (numbering goes on after the
     * hosts of that prefix started before), each with its root emptied and the demo application installed at the
     * spec's version, or nothing installed for a spec without one. Either every server starts or none stays up.
     *
     * @return the hosts started, in order
     */
    public synchronized List<SimulatedHost> start(String prefix, List<HostSpec> specs) {
        if (closed) {
            throw new IllegalStateException("This simulated fleet is closed; make a new one");
        }
        if (prefix == null || !SAFE_PREFIX.matcher(prefix).matches()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "'" + prefix + "' cannot start host names:"
                    + " use letters, digits and . _ - only, starting with a letter or digit, such as 'sim'.");
        }
        Objects.requireNonNull(specs, "specs");
        List<RunningHost> started = new ArrayList<>(specs.size());
        int number = nextNumber(prefix);
        try {
            for (HostSpec spec : specs) {
                started.add(startHost(String.format(Locale.ROOT, "%s-%02d", prefix, number++), Objects.requireNonNull(spec)));
            }
            List<RunningHost> all = new ArrayList<>(running);
            all.addAll(started);
            writeKnownHosts(all);
        } catch (RuntimeException e) {
            started.forEach(RunningHost::close);
            throw e;
        }
        running.addAll(started);
        return started.stream().map(RunningHost::host).toList();
    }

    /** Stops these hosts and forgets them, as if they had not been started; their files stay. */
    public synchronized void discard(Collection<SimulatedHost> hosts) {
        Set<String> names = hosts.stream().map(SimulatedHost::name).collect(Collectors.toSet());
        List<RunningHost> discarded = running.stream().filter(host -> names.contains(host.host().name())).toList();
        discarded.forEach(RunningHost::close);
        running.removeAll(discarded);
        writeKnownHosts(running);
    }

    /** Every host started, in order, including those of earlier {@link #start} calls. */
    public synchronized List<SimulatedHost> hosts() {
        return running.stream().map(RunningHost::host).toList();
    }

    /** The private key, OpenSSH format, that logs in as {@link #user()} on every host. */
    public Path clientKey() {
        return clientKey;
    }

    /** The known_hosts file listing every started host's key. */
    public Path knownHosts() {
        return baseDir.resolve("known_hosts");
    }

    public String user() {
        return USER;
    }

    /**
     * What an operator trusts of the started hosts: at first each one's host key, for the record of its name
     * ({@link #server}); what is trusted or forgotten here for a name then holds instead, as an operator's
     * {@code fleet:server-trust} would, so that a test can trust a wrong key or none.
     */
    public ServerTrust trust() {
        return trust;
    }

    private Optional<String> ownKey(Server server) {
        return hosts().stream().filter(host -> host.name().equals(server.name()))
                .map(SimulatedHost::hostKey).findFirst();
    }

    /** The inventory record of {@code host}, as provisioning would make it, marked simulated; see {@link #trust}. */
    public Server server(SimulatedHost host) {
        String scheme = host.faults().contains(Fault.SFTP_ONLY) ? "sftp" : "ssh";
        return new Server(host.name(), CLUSTER, URI.create(scheme + "://" + LOOPBACK + ":" + host.port()),
                LoginSettings.of(USER, clientKey.toString()),
                Map.of(ROOT_ATTRIBUTE, host.root().toString(), SIMULATED_ATTRIBUTE, "true"));
    }

    /** Whether the simulator made this inventory record. */
    public static boolean isSimulated(Server server) {
        return "true".equals(server.attributes().get(SIMULATED_ATTRIBUTE));
    }

    /** Stops every server, breaking their sessions; the files stay. Closing again does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        running.forEach(RunningHost::close);
        commandPumps.shutdownNow();
        faultWatches.shutdownNow();
    }

    private RunningHost startHost(String name, HostSpec spec) {
        Path root = baseDir.resolve(name);
        try {
            if (Files.exists(root)) {
                // What a fault of an earlier run left unwritable could not be removed otherwise.
                HostLauncher.unlockFaults(root);
                PathUtils.deleteDirectory(root);
            }
            Files.createDirectories(root);
            if (spec.version() != null) {
                DemoApplication.install(root, spec.version());
            }
            return launcher.launch(name, root, baseDir.resolve("hostkeys").resolve(name), spec);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.TRANSPORT_FAILED, "Could not start the simulated host "
                    + name + " in " + root + ": " + e.getMessage()
                    + ". Check that the directory is writable and that loopback ports are free.", e);
        }
    }

    private int nextNumber(String prefix) {
        Pattern ownName = Pattern.compile(Pattern.quote(prefix) + "-(\\d+)");
        return running.stream()
                .map(host -> ownName.matcher(host.host().name()))
                .filter(Matcher::matches)
                .mapToInt(matcher -> Integer.parseInt(matcher.group(1)))
                .max().orElse(0) + 1;
    }

    private void writeKnownHosts(List<RunningHost> hosts) {
        StringBuilder lines = new StringBuilder();
        for (RunningHost host : hosts) {
            lines.append('[').append(LOOPBACK).append("]:").append(host.host().port()).append(' ')
                    .append(host.host().hostKey()).append('\n');
        }
        Path target = knownHosts();
        try {
            Path written = Files.writeString(baseDir.resolve("known_hosts.new"), lines, StandardCharsets.UTF_8);
            Files.move(written, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not write " + target + ": "
                    + e.getMessage() + ". Check that the directory is writable.", e);
        }
    }
}
