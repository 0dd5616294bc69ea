package org.fleetup.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fixture itself, through OpenSSH's own client: the peers the other modules' tests rely on. */
class OpenSshServerTest {

    @TempDir
    Path temp;

    @Test
    void commandsRunInTheRootWithTheHostKeyItAnnounces() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options().name("plain");
        assumeTrue(OpenSshServer.available(options), "openssh-server is not installed");
        try (OpenSshServer server = OpenSshServer.start(temp.resolve("plain"), options)) {
            String printed = ssh(server, "pwd; echo \"$HOME\"; readlink -m /a/../b");

            assertThat(printed.lines().toList()).containsExactly(server.root().toString(), server.root().toString(),
                    "/b");
        }
    }

    @Test
    void aBusyBoxServerHasBusyBoxToolsOnly() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options().name("busybox").busyBoxOnly();
        assumeTrue(OpenSshServer.available(options), "openssh-server or busybox is not installed");
        try (OpenSshServer server = OpenSshServer.start(temp.resolve("busybox"), options)) {
            String printed = ssh(server, "readlink -m /a/../b 2>&1; echo \"exit $?\"; sha256sum --help 2>&1 | head -1");

            assertThat(printed).contains("exit 1").contains("BusyBox");
            assertThat(printed).doesNotContain("GNU");
        }
    }

    @Test
    void closingStopsEverySessionItStarted() throws Exception {
        OpenSshServer.Options options = new OpenSshServer.Options().name("stop");
        assumeTrue(OpenSshServer.available(options), "openssh-server is not installed");
        Process client;
        OpenSshServer server = OpenSshServer.start(temp.resolve("stop"), options);
        try {
            client = sshProcess(server, "echo started; exec sleep 300");
            String first = new String(client.getInputStream().readNBytes("started\n".length()),
                    StandardCharsets.UTF_8);
            assertThat(first).isEqualTo("started\n");
            assertThat(server.descendants()).isNotEmpty();
        } finally {
            server.close();
        }
        assertThat(client.waitFor(10, TimeUnit.SECONDS)).as("the session ended with its server").isTrue();
    }

    private static String ssh(OpenSshServer server, String command) throws IOException, InterruptedException {
        Process process = sshProcess(server, command);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private static Process sshProcess(OpenSshServer server, String command) throws IOException {
        Path knownHosts = server.clientKey().resolveSibling("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.port() + " " + server.hostKey() + "\n");
        return new ProcessBuilder(List.of("ssh", "-i", server.clientKey().toString(), "-p",
                Integer.toString(server.port()), "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                server.user() + "@127.0.0.1", command))
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
    }
}
