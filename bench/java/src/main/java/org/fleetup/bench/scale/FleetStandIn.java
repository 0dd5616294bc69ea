package org.fleetup.bench.scale;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.simulator.internal.ClientKeyFiles;

/**
 * The stand-in fleet of the scale benchmark, run in a JVM of its own: N simulated hosts, each a distinct loopback
 * address ({@code 127.0.0.1:<port>}) with its own host key and its own root directory holding the demo application
 * ({@code demo-app/releases/<v>/VERSION} and the {@code current} link), served by a few MINA SSH servers each bound
 * to many ports. A session's host is the local port it was accepted on: that port chooses the host key presented in
 * the key exchange and the root its commands run in. Login is real public-key authentication of the fleet's user.
 *
 * <p>Compared with {@link SimulatedFleet} (one SSH server, its threads and timers per host), this holds N listening
 * sockets and a handful of threads. Commands are answered in Java (see {@link StandInCommand}) unless
 * {@code --shell}, where each runs {@code /bin/sh -c}.
 *
 * <p>The mix, by host number modulo 100: 0-1 at 2.0.0, 2 at 2.0.1, 3 without a VERSION file, 4 printing garbage,
 * 5 with nothing listening (refused), the rest on the old versions 1.0.0, 1.2.3, 1.4.2, 1.9.7 in turn.
 *
 * <p>Writes {@code <dir>/fleet.csv} ({@code name,port,version,hostKey}) and prints {@code READY <n>} on its standard
 * output once every port listens; runs until killed or its standard input ends.
 */
public final class FleetStandIn {

    static final String USER = SimulatedFleet.USER;
    static final String FLEET_FILE = "fleet.csv";

    private FleetStandIn() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args);
        Path dir = Path.of(options.getOrDefault("dir", "target/scale-fleet")).toAbsolutePath();
        int hosts = Integer.parseInt(options.getOrDefault("hosts", "10000"));
        int basePort = Integer.parseInt(options.getOrDefault("base-port", "20000"));
        int servers = Integer.parseInt(options.getOrDefault("servers", "2"));
        int ioThreads = Integer.parseInt(options.getOrDefault("io-threads", "2"));
        boolean shell = options.containsKey("shell");
        boolean sharedHostKey = options.containsKey("shared-host-key");

        long start = System.nanoTime();
        Files.createDirectories(dir);
        PublicKey clientKey = ClientKeyFiles.loadOrCreate(dir.resolve("client_key")).getPublic();
        Map<Integer, Host> byPort = new HashMap<>();
        List<List<SocketAddress>> addressesPerServer = new ArrayList<>();
        for (int s = 0; s < servers; s++) {
            addressesPerServer.add(new ArrayList<>());
        }
        KeyPair shared = sharedHostKey ? newHostKey() : null;
        Path fleetFile = dir.resolve(FLEET_FILE + ".new");
        try (BufferedWriter fleet = Files.newBufferedWriter(fleetFile, StandardCharsets.UTF_8)) {
            fleet.write("name,port,version,hostKey\n");
            for (int i = 0; i < hosts; i++) {
                String name = String.format(Locale.ROOT, "h-%05d", i);
                int port = basePort + i;
                String version = layOut(dir.resolve("hosts").resolve(name), i);
                KeyPair hostKey = shared != null ? shared : newHostKey();
                byPort.put(port, new Host(dir.resolve("hosts").resolve(name), hostKey));
                if (i % 100 != 5) {
                    addressesPerServer.get(i % servers).add(new InetSocketAddress("127.0.0.1", port));
                }
                fleet.write(name + "," + port + "," + version + "," + PublicKeyEntry.toString(hostKey.getPublic())
                        + "\n");
            }
        }
        Files.move(fleetFile, dir.resolve(FLEET_FILE), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        long laidOut = System.nanoTime();

        ExecutorService shells = shell ? Executors.newFixedThreadPool(8) : null;
        List<MultiPortServer> started = new ArrayList<>();
        int listening = 0;
        for (List<SocketAddress> addresses : addressesPerServer) {
            if (addresses.isEmpty()) {
                continue;
            }
            MultiPortServer server = (MultiPortServer) ServerBuilder.builder().factory(MultiPortServer::new).build();
            CoreModuleProperties.NIO_WORKERS.set(server, ioThreads);
            InetSocketAddress first = (InetSocketAddress) addresses.get(0);
            server.setHost(first.getHostString());
            server.setPort(first.getPort());
            server.setKeyPairProvider(new PerPortHostKeys(byPort));
            server.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
            server.setPublickeyAuthenticator((username, key, session) ->
                    USER.equals(username) && KeyUtils.compareKeys(clientKey, key));
            server.setPasswordAuthenticator(null);
            server.setKeyboardInteractiveAuthenticator(null);
            server.setCommandFactory((channel, command) ->
                    new StandInCommand(command, byPort.get(localPort(channel.getSession())).root(), shells));
            server.start();
            server.bindMore(addresses.subList(1, addresses.size()));
            started.add(server);
            listening += addresses.size();
        }
        long ready = System.nanoTime();
        System.err.printf(Locale.ROOT, "stand-in: %d hosts laid out in %.1f s, %d ports listening on %d SSH servers"
                        + " (%d I/O threads each) in %.1f s, commands %s, %s host keys%n", hosts,
                (laidOut - start) / 1e9, listening, started.size(), ioThreads, (ready - laidOut) / 1e9,
                shell ? "through /bin/sh" : "answered in Java", sharedHostKey ? "one shared" : "per-host");
        System.out.println("READY " + listening);
        System.out.flush();

        // Until the controller stops this process (by its PID) or closes its stdin.
        InputStream in = System.in;
        while (in.read() >= 0) {
            // nothing is read from the controller
        }
        for (MultiPortServer server : started) {
            server.stop(true);
        }
        if (shells != null) {
            shells.shutdownNow();
        }
    }

    /** The host's root with the demo application's layout, small: only VERSION, which the inspection reads. */
    private static String layOut(Path root, int number) throws IOException {
        String version = switch (number % 100) {
            case 0, 1 -> "2.0.0";
            case 2 -> "2.0.1";
            case 3 -> "1.4.2"; // its VERSION is missing: the inspection fails
            case 4 -> "garbage";
            default -> DemoApplication.OLD_VERSIONS.get(number % DemoApplication.OLD_VERSIONS.size());
        };
        Path application = root.resolve(DemoApplication.PRODUCT);
        Path release = application.resolve("releases").resolve(version);
        Files.createDirectories(release);
        Path versionFile = release.resolve("VERSION");
        if (number % 100 == 3) {
            Files.deleteIfExists(versionFile);
        } else {
            Files.writeString(versionFile, version + "\n", StandardCharsets.UTF_8);
        }
        Path current = application.resolve("current");
        Files.deleteIfExists(current);
        Files.createSymbolicLink(current, Path.of("releases", version));
        return version;
    }

    private static KeyPair newHostKey() throws GeneralSecurityException {
        return KeyUtils.generateKeyPair(KeyPairProvider.ECDSA_SHA2_NISTP256, 256);
    }

    static int localPort(Session session) {
        return ((InetSocketAddress) session.getIoSession().getLocalAddress()).getPort();
    }

    record Host(Path root, KeyPair hostKey) {
    }

    /** The host key of the host whose port accepted the session. */
    private record PerPortHostKeys(Map<Integer, Host> byPort) implements KeyPairProvider {

        @Override
        public Iterable<KeyPair> loadKeys(SessionContext session) {
            if (!(session instanceof Session accepted)) {
                return List.of();
            }
            Host host = byPort.get(localPort(accepted));
            return host == null ? List.of() : List.of(host.hostKey());
        }
    }
}
