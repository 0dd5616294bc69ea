package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.api.transport.Session;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload to a real OpenSSH server whose disk is full: its SFTP server, writing past the limit, is ended by the
 * kernel (SIGXFSZ) with the client's writes in flight. Each upload fails with the transport's error at once: a write
 * waiting for room in a channel whose server is gone used to wait for MINA's own send timeout, twice (30 s each).
 */
class OpenSshFullDiskTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final int UPLOADS = 8;
    private static final int SIZE = 5 * 1024 * 1024;
    private static final int LIMIT = 1024 * 1024;
    /** Well under one MINA send timeout of 30 s, well over a failure seen at once on a loaded machine. */
    private static final Duration FAILS_WITHIN = Duration.ofSeconds(15);

    @TempDir
    Path directory;

    private OpenSshServer sshd;
    private SshTransport transport;

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        if (sshd != null) {
            sshd.close();
        }
    }

    private Server fullDisk() throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name("full-disk").fileSizeLimit(LIMIT);
        assumeTrue(OpenSshServer.available(options), "openssh-server is not installed");
        sshd = OpenSshServer.start(directory.resolve("sshd"), options);
        transport = new SshTransport(SshSettings.defaults(), trust);
        return trusted(trust, sshd);
    }

    @Test
    void everyUploadToAFullDiskFailsAtOnceWithTheTransportsError() throws Exception {
        Server server = fullDisk();
        byte[] content = new byte[SIZE];

        ExecutorService uploads = Executors.newFixedThreadPool(UPLOADS);
        try {
            List<CompletableFuture<Throwable>> failures = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                String path = sshd.root().resolve("upload-" + i).toString();
                failures.add(CompletableFuture.supplyAsync(() -> {
                    try (Session session = transport.connect(server)) {
                        session.upload(new ByteArrayInputStream(content), path, 0, sent -> { });
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }, uploads));
            }
            for (CompletableFuture<Throwable> failure : failures) {
                assertThat(failure.get(FAILS_WITHIN.toSeconds(), TimeUnit.SECONDS))
                        .isInstanceOfSatisfying(FleetupException.class, e -> {
                            assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED);
                            assertThat(e.getMessage()).contains("a full disk is the usual cause");
                        });
            }
        } finally {
            uploads.shutdownNow();
            assertThat(uploads.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * The same file sent as a command's input: the kernel ends the command's {@code cat} at the limit, and the command
     * answers with its failure, on a connection that stays up, without waiting on a window that never opens.
     */
    @Test
    void commandWritingItsInputToAFullDiskFailsAtOnceOnALiveSession() throws Exception {
        Server server = fullDisk();
        Path target = sshd.root().resolve("piped");

        try (Session session = transport.connect(server)) {
            CommandResult result = assertTimeoutPreemptively(FAILS_WITHIN, () -> session.execute(
                    "cat > piped && echo written", new ByteArrayInputStream(new byte[SIZE]), Duration.ofSeconds(30),
                    sent -> { }));

            assertThat(result.succeeded()).as("a write past the limit").isFalse();
            assertThat(result.stdout()).doesNotContain("written");
            assertThat(session.isOpen()).isTrue();
            assertThat(session.execute("echo alive", Duration.ofSeconds(30)).stdout().strip()).isEqualTo("alive");
        }
        assertThat(target).hasSize(LIMIT);
    }
}
