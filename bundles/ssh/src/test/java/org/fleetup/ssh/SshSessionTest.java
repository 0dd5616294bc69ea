package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a session does over a real SSH server of the simulated fleet: commands and transfers. */
class SshSessionTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final String VERSION = "1.4.2";

    @TempDir
    static Path fleetDirectory;

    private static SimulatedFleet fleet;
    private static SshTransport transport;
    private static SimulatedHost host;

    @BeforeAll
    static void startFleet() {
        fleet = new SimulatedFleet(fleetDirectory);
        host = fleet.start("session", List.of(new HostSpec(VERSION, Set.of()))).get(0);
        transport = new SshTransport(new SshSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(60), 64 * 1024), fleet.trust());
    }

    @AfterAll
    static void stopFleet() {
        transport.close();
        fleet.close();
    }

    private static Session connect() {
        return transport.connect(fleet.server(host));
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static String remotePath(String name) {
        return host.root().resolve(name).toString();
    }

    @Test
    void executeReturnsWhatTheCommandPrinted() {
        try (Session session = connect()) {
            CommandResult result = session.execute("cat " + DemoApplication.PRODUCT + "/current/VERSION",
                    COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout().strip()).isEqualTo(VERSION);
        }
    }

    @Test
    void executeReturnsTheExitCodeAndStderr() {
        try (Session session = connect()) {
            CommandResult result = session.execute("echo 'no such release' >&2; exit 3", COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isEqualTo(3);
            assertThat(result.stderr().strip()).isEqualTo("no such release");
            assertThat(result.problem()).isEqualTo("no such release");
        }
    }

    @Test
    void commandReadingItsInputSeesItEndAtOnce() {
        try (Session session = connect()) {
            CommandResult result = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> session.execute("cat; echo done", COMMAND_TIMEOUT));

            assertThat(result.stdout().strip()).isEqualTo("done");
        }
    }

    @Test
    void answerOfManyReadsComesBackByteExact() throws Exception {
        // Hex text, as an answer is read as text: some 60 of the connection's 8 KiB reads.
        String answer = HexFormat.of().formatHex(randomBytes(250 * 1024));
        Files.writeString(host.root().resolve("answer.txt"), answer);
        try (Session session = connect()) {
            CommandResult result = session.execute("cat answer.txt", COMMAND_TIMEOUT);

            assertThat(result.exitCode()).as(result.stderr()).isZero();
            assertThat(result.stdout()).isEqualTo(answer);
        }
    }

    @Test
    void outputBeyondOneMebibyteIsDropped() {
        try (Session session = connect()) {
            CommandResult result = session.execute("head -c 3000000 /dev/zero | tr '\\0' x", COMMAND_TIMEOUT);

            assertThat(result.exitCode()).isZero();
            assertThat(result.stdout()).startsWith("xxxx").contains("more bytes of output dropped");
            assertThat(result.stdout().length()).isBetween(1024 * 1024, 1024 * 1024 + 100);
        }
    }

    @Test
    void commandsAndTransfersOfOneSessionShareOneConnection() throws Exception {
        try (CountingRelay relay = new CountingRelay(host.port())) {
            Server throughRelay = trusted(fleet.trust(),
                    new Server(host.name(), null, URI.create("ssh://127.0.0.1:" + relay.port()),
                            LoginSettings.of(fleet.user(), fleet.clientKey().toString()), null),
                    host.hostKey());
            try (Session session = transport.connect(throughRelay)) {
                for (int i = 0; i < 10; i++) {
                    assertThat(session.execute("echo " + i, COMMAND_TIMEOUT).stdout().strip()).isEqualTo("" + i);
                }
                session.upload(new ByteArrayInputStream(randomBytes(200_000)), remotePath("shared.bin"), 0,
                        written -> { });
                assertThat(session.remoteSize(remotePath("shared.bin"))).isEqualTo(200_000);
                assertThat(session.execute("wc -c < shared.bin", COMMAND_TIMEOUT).stdout().strip())
                        .isEqualTo("200000");
            }

            assertThat(relay.connections()).isEqualTo(1);
        }
    }

    @Test
    void uploadLandsByteExact() throws Exception {
        byte[] content = randomBytes(3 * 64 * 1024 + 1234);
        List<Long> progress = new ArrayList<>();
        try (Session session = connect()) {
            session.upload(new ByteArrayInputStream(content), remotePath("exact.bin"), 0, progress::add);
        }

        assertThat(Files.readAllBytes(host.root().resolve("exact.bin"))).isEqualTo(content);
        assertThat(progress).isSorted().last().isEqualTo((long) content.length);
    }

    @Test
    void uploadFromZeroReplacesALongerFile() throws Exception {
        Files.write(host.root().resolve("replaced.bin"), randomBytes(500_000));
        byte[] content = randomBytes(1000);
        try (Session session = connect()) {
            session.upload(new ByteArrayInputStream(content), remotePath("replaced.bin"), 0, written -> { });
        }

        assertThat(Files.readAllBytes(host.root().resolve("replaced.bin"))).isEqualTo(content);
    }

    @Test
    void uploadResumesAtOffset() throws Exception {
        byte[] whole = randomBytes(300_001);
        int half = whole.length / 2;
        List<Long> progress = new ArrayList<>();
        try (Session session = connect()) {
            session.upload(new ByteArrayInputStream(whole, 0, half), remotePath("resumed.bin"), 0, written -> { });
            assertThat(session.remoteSize(remotePath("resumed.bin"))).isEqualTo(half);

            session.upload(new ByteArrayInputStream(Arrays.copyOfRange(whole, half, whole.length)),
                    remotePath("resumed.bin"), half, progress::add);
        }

        assertThat(Files.readAllBytes(host.root().resolve("resumed.bin"))).isEqualTo(whole);
        assertThat(progress.get(0)).isGreaterThan(half);
        assertThat(progress).last().isEqualTo((long) whole.length);
    }

    @Test
    void inputReachesTheCommandWholeAndItsAnswerComesBack() throws Exception {
        byte[] content = randomBytes(3 * 64 * 1024 + 1234);
        List<Long> progress = new ArrayList<>();
        CommandResult result;
        try (Session session = connect()) {
            result = session.execute("cat > piped.bin && wc -c < piped.bin", new ByteArrayInputStream(content),
                    COMMAND_TIMEOUT, progress::add);
        }

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout().strip()).isEqualTo(Integer.toString(content.length));
        assertThat(Files.readAllBytes(host.root().resolve("piped.bin"))).isEqualTo(content);
        assertThat(progress).isSorted().last().isEqualTo((long) content.length);
    }

    @Test
    void commandEndingBeforeItReadsItsInputAnswersWithItsStatusOnALiveSession() throws Exception {
        try (Session session = connect()) {
            // More than the channel's window (2 MiB), so that the sender waits for room the command never makes.
            CommandResult result = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> session.execute(
                    "head -c 10 > head.bin; exit 4", new ByteArrayInputStream(randomBytes(8 * 1024 * 1024)),
                    COMMAND_TIMEOUT, sent -> { }));

            assertThat(result.exitCode()).isEqualTo(4);
            assertThat(session.isOpen()).isTrue();
            assertThat(session.execute("wc -c < head.bin", COMMAND_TIMEOUT).stdout().strip()).isEqualTo("10");
        }
    }

    @Test
    void remoteSizeIsMinusOneForAMissingFile() {
        try (Session session = connect()) {
            assertThat(session.remoteSize(remotePath("never-written.bin"))).isEqualTo(-1);
        }
    }

    /** Made in the SFTP channel a transfer uses: made once, then found there; a file of that name is refused. */
    @Test
    void makeDirectoryMakesItOnceAndRefusesAFileOfThatName() throws Exception {
        Files.writeString(host.root().resolve("a-file"), "x");
        try (Session session = connect()) {
            assertThat(session.makeDirectory(remotePath("made"))).isTrue();
            assertThat(session.makeDirectory(remotePath("made"))).isFalse();
            assertThatThrownBy(() -> session.makeDirectory(remotePath("a-file")))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                    .hasMessageContaining("a-file");
        }
        assertThat(host.root().resolve("made")).isDirectory();
        assertThat(host.root().resolve("a-file")).isRegularFile();
    }

    @Test
    void commandPastItsTimeoutFailsWithCommandTimeout() {
        try (Session session = connect()) {
            assertTimeoutPreemptively(Duration.ofSeconds(4), () ->
                    assertThatThrownBy(() -> session.execute("sleep 5", Duration.ofMillis(300)))
                            .isInstanceOfSatisfying(FleetupException.class,
                                    e -> assertThat(e.code()).isEqualTo(FleetupException.COMMAND_TIMEOUT))
                            .hasMessageContaining(host.name())
                            .hasMessageContaining("300 ms"));
        }
    }

    /** A timed-out command costs its channel only: the connection goes on serving the session. */
    @Test
    void sessionStaysUsableAfterACommandTimedOut() {
        try (Session session = connect()) {
            assertThatThrownBy(() -> session.execute("sleep 5", Duration.ofMillis(300)))
                    .isInstanceOf(FleetupException.class);

            assertThat(session.isOpen()).isTrue();
            assertThat(session.execute("echo still here", COMMAND_TIMEOUT).stdout().strip()).isEqualTo("still here");
        }
    }

    @Test
    void closedSessionRefusesWorkAndClosesOnlyOnce() {
        Session session = connect();
        session.close();
        session.close();

        assertThat(session.isOpen()).isFalse();
        assertThatThrownBy(() -> session.execute("true", COMMAND_TIMEOUT))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                .hasMessageContaining("closed");
    }

    @Test
    void sessionNamesItsServer() {
        try (Session session = connect()) {
            assertThat(session.server()).isEqualTo(host.name());
        }
    }

    @Test
    void droppedConnectionFailsTheUploadAndClosesTheSession() {
        SimulatedHost dropping = fleet.start("dropping", List.of(new HostSpec(VERSION, Set.of(Fault.DROP_CONNECTION))))
                .get(0);
        try (Session session = transport.connect(fleet.server(dropping))) {
            String target = dropping.root().resolve("dropped.bin").toString();

            assertThatThrownBy(() -> session.upload(new ByteArrayInputStream(randomBytes(1024 * 1024)), target, 0,
                    written -> { }))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                    .hasMessageStartingWith("Transfer to " + dropping.name() + " failed after ");
            // At once: a session that still looked open made the next command wait its whole timeout for a channel.
            assertThat(session.isOpen()).isFalse();
        }
    }

    @Test
    void fullDiskFailsTheUploadWithTheReason() {
        SimulatedHost full = fleet.start("full", List.of(new HostSpec(VERSION, Set.of(Fault.DISK_FULL)))).get(0);
        try (Session session = transport.connect(fleet.server(full))) {
            String target = full.root().resolve("too-big.bin").toString();

            assertThatThrownBy(() -> session.upload(new ByteArrayInputStream(randomBytes(512 * 1024)), target, 0,
                    written -> { }))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                    .hasMessageContaining("Transfer to " + full.name() + " failed after ")
                    // The simulator's MINA server, like OpenSSH's SFTP v3, may report a full disk as a bare failure.
                    .hasMessageFindingMatch("(?i)no space left|full disk");
            assertThat(session.isOpen()).isTrue();
        }
    }
}
