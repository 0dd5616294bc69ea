package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.Session;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory made over a real OpenSSH server's SFTP, whose sftp-server answers a directory that is there with a plain
 * failure, not "already exists": the session tells that apart from a real refusal.
 */
class OpenSshMakeDirectoryTest {

    private final ServerTrust trust = ServerTrust.inMemory();

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

    @Test
    void aDirectoryIsMadeOnceThenFoundThereAndAFileOfThatNameIsRefused() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options().name("mkdir");
        assumeTrue(OpenSshServer.available(options), "openssh-server is not installed");
        sshd = OpenSshServer.start(directory.resolve("sshd"), options);
        transport = new SshTransport(SshSettings.defaults(), trust);
        Server server = trusted(trust, sshd);
        Path made = sshd.root().resolve("staging");
        Path file = sshd.root().resolve("a-file");
        Files.writeString(file, "x");

        try (Session session = transport.connect(server)) {
            assertThat(session.makeDirectory(made.toString())).isTrue();
            assertThat(session.makeDirectory(made.toString())).isFalse();
            assertThatThrownBy(() -> session.makeDirectory(file.toString()))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_FAILED))
                    .hasMessageContaining(file.toString());
        }
        assertThat(made).isDirectory();
        assertThat(file).isRegularFile();
    }
}
