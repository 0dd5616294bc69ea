package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that takes its input late, sent to a real OpenSSH server: what the server's {@code sshd} holds of it for
 * the command is bounded by the transport's backlog, read from that {@code sshd}'s own peak memory. The command waits
 * a second before it reads, as a {@code cat} on a loaded machine does, so that whatever the sender may send lands in
 * the server's buffer.
 */
class OpenSshBacklogTest {

    private static final int SIZE = 8 * 1024 * 1024;
    private static final int MIB = 1024 * 1024;

    /**
     * Prints the peak resident memory of the command's {@code sshd} (the session process the shell runs under) in
     * KiB before and after the late {@code cat}; the walk up from the shell is bounded, as {@code KillableCommand}
     * adds a shell or two.
     */
    private static final String LATE_CAT = "p=$$; for i in 1 2 3 4 5 6; do [ \"$(cat /proc/$p/comm)\" = sshd ] && break;"
            + " p=$(awk '/^PPid/ { print $2 }' /proc/$p/status); done; peak() { awk '/^VmHWM/ { print $2 }'"
            + " /proc/$p/status; }; peak; sleep 1; cat > late && peak";

    private final ServerTrust trust = ServerTrust.inMemory();
    private final byte[] content = new byte[SIZE];

    @TempDir
    Path directory;

    private OpenSshServer sshd;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options().name("backlog");
        assumeTrue(OpenSshServer.available(options), "openssh-server is not installed");
        sshd = OpenSshServer.start(directory.resolve("sshd"), options);
        server = trusted(trust, sshd);
        new Random(14).nextBytes(content);
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void theServersSshdHoldsNoMoreThanTheBacklogOfInputItsCommandTakesLate() throws Exception {
        long grown = sshdGrowthKib(SshSettings.defaults());

        assertThat(grown).as("KiB the server's sshd grew by, with a backlog of %d bytes",
                SshSettings.DEFAULT_TRANSFER_BACKLOG_BYTES).isLessThan(MIB / 1024);
        assertThat(Files.readAllBytes(sshd.root().resolve("late"))).isEqualTo(content);
    }

    /** What the bound spares, and what shows that the test sees it: the whole window lands in the server's sshd. */
    @Test
    void withoutABacklogTheServersSshdHoldsTheWholeWindow() throws Exception {
        long grown = sshdGrowthKib(SshSettings.defaults().withTransferBacklog(0));

        assertThat(grown).as("KiB the server's sshd grew by, with its window alone").isGreaterThanOrEqualTo(2 * 1024);
        assertThat(Files.readAllBytes(sshd.root().resolve("late"))).isEqualTo(content);
    }

    private long sshdGrowthKib(SshSettings settings) throws Exception {
        try (SshTransport transport = new SshTransport(settings, trust); Session session = transport.connect(server)) {
            CommandResult result = session.execute(LATE_CAT, new ByteArrayInputStream(content), Duration.ofSeconds(60),
                    sent -> { });
            assertThat(result.succeeded()).as("the late cat: %s", result.stderr()).isTrue();
            String[] peaks = result.stdout().strip().split("\\s+");
            assertThat(peaks).as("the sshd's peak before and after: %s", result.stdout()).hasSize(2);
            return Long.parseLong(peaks[1]) - Long.parseLong(peaks[0]);
        }
    }
}
