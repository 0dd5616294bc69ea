package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transfer has a deadline that grows with what it sends, at the configured minimum rate, after a fixed allowance:
 * a server behind a link that trickles bytes fails the transfer in bounded time instead of holding a worker for as
 * long as it likes; a link that is slow but fast enough carries it whole. Through a throttling relay in front of a
 * simulated server.
 */
class UploadDeadlineTest {

    private static final int KIB = 1024;

    @TempDir
    static Path fleetDirectory;

    private static SimulatedFleet fleet;
    private static SimulatedHost host;

    private SshTransport transport;
    private CountingRelay relay;

    @BeforeAll
    static void startFleet() {
        fleet = new SimulatedFleet(fleetDirectory);
        host = fleet.start("slow", List.of(new HostSpec("1.0.0", Set.of()))).get(0);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @AfterEach
    void stop() throws Exception {
        transport.close();
        relay.close();
    }

    /** @param allowance the connect timeout, which is also what a transfer is allowed for its start */
    private Session connectThrough(long linkBytesPerSecond, long minimumBytesPerSecond, Duration allowance)
            throws Exception {
        relay = new CountingRelay(host.port(), linkBytesPerSecond);
        transport = new SshTransport(new SshSettings(allowance, Duration.ofSeconds(5), Duration.ofSeconds(60),
                32 * KIB).withTransferMinimumRate(minimumBytesPerSecond), fleet.trust());
        Server server = fleet.server(host);
        return transport.connect(new Server(server.name(), null, URI.create("ssh://127.0.0.1:" + relay.port()),
                server.settings(), null));
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /**
     * A command's input goes out at the link's pace through the writer that holds the sending thread back while what it
     * wrote waits for the socket ({@code BoundedWrites}), and arrives whole. (What that writer keeps off the heap shows
     * when MINA's I/O threads fall behind the workers, two cores for a controller and a fleet: bench/README.md has the
     * collections before and after.)
     */
    @Test
    void commandInputHeldBackByItsSocketArrivesWhole() throws Exception {
        try (Session session = connectThrough(512 * KIB, 16 * KIB, Duration.ofSeconds(5))) {
            byte[] input = randomBytes(4 * 1024 * KIB);

            CommandResult result = session.execute("cat > paced-input.bin", new ByteArrayInputStream(input),
                    Duration.ofSeconds(60), sent -> { });

            assertThat(result.exitCode()).isZero();
            assertThat(Files.readAllBytes(host.root().resolve("paced-input.bin"))).isEqualTo(input);
        }
    }

    @Test
    void transferSlowerThanTheMinimumRateFailsInBoundedTimeAndEndsTheSession() throws Exception {
        // A 64 KiB/s link carries 8 MiB in two minutes; the transfer must keep 1 MiB/s, and its allowance (5 s) and
        // the credit of the first channel window's worth of bytes (2 MiB: 2 s at 1 MiB/s) run out in seconds.
        try (Session session = connectThrough(64 * KIB, 1024 * KIB, Duration.ofSeconds(5))) {
            String target = host.root().resolve("trickled.bin").toString();

            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(() -> session.upload(new ByteArrayInputStream(randomBytes(8 * 1024 * KIB)),
                            target, 0, sent -> { }))
                            .isInstanceOfSatisfying(FleetupException.class,
                                    e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                            .hasMessageStartingWith("Transfer to " + host.name() + " failed after ")
                            .hasMessageContaining("too slow")
                            .hasMessageContaining("at least 1048576 bytes/s are required")
                            .hasMessageContaining("transferMinimumBytesPerSecond"));
            await("the session is given up").atMost(Duration.ofSeconds(5)).until(() -> !session.isOpen());
        }
        assertThat(transport.idleSessions()).as("a connection that missed its deadline is not kept").isZero();
    }

    @Test
    void commandInputSlowerThanTheMinimumRateFailsInBoundedTimeAndEndsTheSession() throws Exception {
        try (Session session = connectThrough(64 * KIB, 1024 * KIB, Duration.ofSeconds(5))) {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                    assertThatThrownBy(() -> session.execute("cat > trickled-input.bin",
                            new ByteArrayInputStream(randomBytes(8 * 1024 * KIB)), Duration.ofSeconds(60), sent -> { }))
                            .isInstanceOfSatisfying(FleetupException.class,
                                    e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                            .hasMessageStartingWith("Transfer to " + host.name() + " failed after ")
                            .hasMessageContaining("too slow")
                            .hasMessageContaining("transferMinimumBytesPerSecond"));
            await("the session is given up").atMost(Duration.ofSeconds(5)).until(() -> !session.isOpen());
        }
        assertThat(transport.idleSessions()).as("a connection that missed its deadline is not kept").isZero();
    }

    @Test
    void transferSlowerThanItsAllowanceButAboveTheMinimumRateLandsWhole() throws Exception {
        byte[] content = randomBytes(1024 * KIB);
        // 4 s on a 256 KiB/s link, longer than the allowance of 2 s, well within the 2 s + 16 s that 1 MiB may take
        // at the minimum rate of 64 KiB/s.
        try (Session session = connectThrough(256 * KIB, 64 * KIB, Duration.ofSeconds(2))) {
            session.upload(new ByteArrayInputStream(content), host.root().resolve("slow.bin").toString(), 0,
                    sent -> { });
        }

        assertThat(Files.readAllBytes(host.root().resolve("slow.bin"))).isEqualTo(content);
    }
}
