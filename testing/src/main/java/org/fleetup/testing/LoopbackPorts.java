package org.fleetup.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports on 127.0.0.1 for a server that a test configures now and that binds later: an sshd, a PostgreSQL, a Karaf
 * whose console binds tens of seconds after its configuration was written.
 *
 * <p>A port the kernel hands out for {@code bind(0)} lies in its ephemeral range, where every outgoing connection on
 * the machine takes its local port too: one made in the meantime can hold it when the server binds, and the server
 * then never listens. So ports come from below that range, which the kernel never hands out by itself, in sequence
 * from a random start (two ports handed out together are never the same, and two test JVMs seldom meet), each free
 * when handed out.
 */
public final class LoopbackPorts {

    /** Below it: well-known services' ports and Karaf's defaults (1099, 8101, 8181; its 44444 is above the range). */
    private static final int LOWEST = 20_000;
    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Linux's default lower bound, where the file cannot be read. */
    private static final int EPHEMERAL_DEFAULT = 32_768;

    private static final int HIGHEST = ephemeralLow() - 1;
    private static final AtomicInteger NEXT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(LOWEST, HIGHEST + 1));

    private LoopbackPorts() {
    }

    /** A port on 127.0.0.1 that nothing listens on now and that no outgoing connection takes. */
    public static int free() {
        int span = HIGHEST - LOWEST + 1;
        for (int tried = 0; tried < span; tried++) {
            int port = LOWEST + Math.floorMod(NEXT.getAndIncrement() - LOWEST, span);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // in use: the next one
            }
        }
        throw new UncheckedIOException(new IOException("no free port on 127.0.0.1 between " + LOWEST + " and "
                + HIGHEST));
    }

    private static int ephemeralLow() {
        try {
            int low = Integer.parseInt(Files.readString(EPHEMERAL_RANGE).strip().split("\\s+")[0]);
            // a range starting too low to leave room below it: the ports below Linux's default are still seldom taken
            return low > LOWEST + 1_000 ? low : EPHEMERAL_DEFAULT;
        } catch (IOException | RuntimeException e) {
            return EPHEMERAL_DEFAULT;
        }
    }
}
