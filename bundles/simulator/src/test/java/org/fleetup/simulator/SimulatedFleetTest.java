package org.fleetup.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedFleetTest {

    private static final int UPLOAD_BYTES = 200 * 1024;

    @TempDir
    Path baseDir;

    @TempDir
    Path workDir;

    private SimulatedFleet fleet;
    private OpenSshClient client;

    @BeforeEach
    void startFleet() {
        fleet = new SimulatedFleet(baseDir);
        client = new OpenSshClient(fleet, workDir);
    }

    @AfterEach
    void stopFleet() {
        fleet.close();
    }

    @Test
    void startedHostAnswersItsVersion() throws Exception {
        SimulatedHost host = startOne("1.2.3");

        OpenSshClient.Result result = client.ssh(host, "cat demo-app/current/VERSION");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("1.2.3\n");
    }

    @Test
    void aHostWithoutAVersionHasNothingInstalled() throws Exception {
        SimulatedHost host = fleet.start("bare", List.of(new HostSpec(null, Set.of()))).get(0);

        OpenSshClient.Result result = client.ssh(host, "ls -A");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEmpty();
        assertThat(host.version()).isNull();
    }

    @Test
    void installedFilesMatchTheirManifest() throws Exception {
        SimulatedHost host = startOne("1.4.2");

        OpenSshClient.Result result = client.ssh(host, "cd demo-app/current && sha256sum -c MANIFEST.sha256");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).contains("lib/demo-app.jar: OK", "bin/demo-app: OK", "VERSION: OK");
    }

    @Test
    void commandsRunInTheRootWhichIsHome() throws Exception {
        SimulatedHost host = startOne("1.0.0");

        OpenSshClient.Result result = client.ssh(host, "pwd; echo \"$HOME\"; echo \"$USER\"");

        String root = host.root().toRealPath().toString();
        assertThat(result.out()).isEqualTo(root + "\n" + host.root() + "\nfleetup\n");
    }

    @Test
    void commandExitStatusAndStderrReachTheClient() throws Exception {
        SimulatedHost host = startOne("1.0.0");

        OpenSshClient.Result result = client.ssh(host, "echo broken >&2; exit 3");

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.err()).contains("broken");
    }

    @Test
    void commandReadsTheClientsStdin() throws Exception {
        SimulatedHost host = startOne("1.0.0");

        OpenSshClient.Result result = client.ssh(host, "cat > received.txt",
                "sent over stdin\n".getBytes(StandardCharsets.UTF_8));

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(host.root().resolve("received.txt")).hasContent("sent over stdin");
    }

    @Test
    void realCommandsInstallARelease() throws Exception {
        SimulatedHost host = startOne("1.0.0");
        DemoApplication.writeRelease("2.0.1", host.root().resolve("staging/demo-app-2.0.1.tar.gz"));

        OpenSshClient.Result result = client.ssh(host, "set -e; cd demo-app; mkdir -p releases/2.0.1;"
                + " tar -xzf ../staging/demo-app-2.0.1.tar.gz -C releases/2.0.1;"
                + " (cd releases/2.0.1 && sha256sum -c --quiet MANIFEST.sha256);"
                + " ln -s releases/2.0.1 current.new && mv -T current.new current; ./current/bin/demo-app");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("2.0.1\n");
    }

    @Test
    void unknownClientKeyIsRefused() throws Exception {
        SimulatedHost host = startOne("1.0.0");
        Path strangerKey = workDir.resolve("stranger");
        assertThat(OpenSshClient.local(workDir.toFile(), "ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f",
                strangerKey.toString()).exit()).isZero();

        OpenSshClient.Result result = client.withIdentity(strangerKey).ssh(host, "true");

        assertThat(result.exit()).isEqualTo(255);
        assertThat(result.err()).contains("Permission denied");
    }

    @Test
    void knownHostsNamesTheKeyEachHostPresents() throws Exception {
        List<SimulatedHost> hosts = fleet.start("sim", List.of(spec("1.0.0"), spec("2.0.0")));

        assertThat(Files.readAllLines(fleet.knownHosts())).containsExactly(
                "[127.0.0.1]:" + hosts.get(0).port() + " " + hosts.get(0).hostKey(),
                "[127.0.0.1]:" + hosts.get(1).port() + " " + hosts.get(1).hostKey());
        for (SimulatedHost host : hosts) {
            OpenSshClient.Result result = client.ssh(host, "true");
            assertThat(result.exit()).as(result.err()).isZero();
        }
    }

    @Test
    void hostWithAnotherKeyThanKnownIsRejected() throws Exception {
        List<SimulatedHost> hosts = fleet.start("sim", List.of(spec("1.0.0"), spec("2.0.0")));
        Path swapped = workDir.resolve("swapped_known_hosts");
        Files.writeString(swapped, "[127.0.0.1]:" + hosts.get(0).port() + " " + hosts.get(1).hostKey() + "\n");

        OpenSshClient.Result result = client.withKnownHosts(swapped).ssh(hosts.get(0), "true");

        assertThat(result.exit()).isEqualTo(255);
        assertThat(result.err()).contains("HOST IDENTIFICATION HAS CHANGED");
    }

    @Test
    void restartedHostKeepsItsHostKey() {
        SimulatedHost first = startOne("1.0.0");
        fleet.close();

        fleet = new SimulatedFleet(baseDir);
        SimulatedHost again = startOne("1.0.0");

        assertThat(again.name()).isEqualTo(first.name());
        assertThat(again.hostKey()).startsWith("ecdsa-sha2-nistp256 AAAA").isEqualTo(first.hostKey());
    }

    @Test
    void startingAgainNumbersOnAndListsEveryHost() throws IOException {
        fleet.start("sim", List.of(spec("1.0.0"), spec("1.2.3")));

        List<SimulatedHost> added = fleet.start("sim", List.of(spec("2.0.0")));

        assertThat(added).extracting(SimulatedHost::name).containsExactly("sim-03");
        assertThat(fleet.hosts()).extracting(SimulatedHost::name).containsExactly("sim-01", "sim-02", "sim-03");
        assertThat(Files.readAllLines(fleet.knownHosts())).hasSize(3);
    }

    @Test
    void serverRecordReachesTheHostWithTheFleetsKey() {
        SimulatedHost host = startOne("1.9.7");

        Server server = fleet.server(host);

        assertThat(server.name()).isEqualTo("sim-01");
        assertThat(server.cluster()).isEqualTo("simulated");
        assertThat(server.address()).isEqualTo(URI.create("ssh://127.0.0.1:" + host.port()));
        assertThat(LoginSettings.user(server)).isEqualTo("fleetup");
        assertThat(LoginSettings.keyFile(server)).isEqualTo(fleet.clientKey().toString());
        assertThat(fleet.trust().trusted(server)).contains(host.hostKey());
    }

    @Test
    void clientKeyIsPrivateAndReadableByMina() throws Exception {
        assertThat(Files.getPosixFilePermissions(fleet.clientKey()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (InputStream in = Files.newInputStream(fleet.clientKey())) {
            Iterable<KeyPair> keys = SecurityUtils.loadKeyPairIdentities(null,
                    NamedResource.ofName(fleet.clientKey().toString()), in, null);
            assertThat(keys).singleElement()
                    .satisfies(pair -> assertThat(pair.getPublic().getAlgorithm()).isEqualTo("EC"));
        }
        assertThat(baseDir.resolve("client_key.pub")).content().startsWith("ecdsa-sha2-nistp256 AAAA");
    }

    @Test
    void sftpUploadLandsByteExactInTheRoot() throws Exception {
        SimulatedHost host = startOne("1.0.0");
        Path upload = randomFile(UPLOAD_BYTES);

        OpenSshClient.Result result = client.sftp(host, "mkdir staging", "put " + upload + " staging/upload.bin");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(host.root().resolve("staging/upload.bin")).hasSameBinaryContentAs(upload);
    }

    @Test
    void sftpAbsolutePathsMeanWhatTheShellMeans() throws Exception {
        SimulatedHost host = startOne("1.0.0");
        Path upload = randomFile(1024);
        String absolute = host.root().resolve("absolute.bin").toString();

        OpenSshClient.Result result = client.sftp(host, "put " + upload + " " + absolute);

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(client.ssh(host, "cmp absolute.bin " + absolute + " && echo same").out()).isEqualTo("same\n");
    }

    @Test
    void uploadToAFullDiskFails() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DISK_FULL);
        Path upload = randomFile(UPLOAD_BYTES);

        OpenSshClient.Result result = client.sftp(host, "put " + upload + " upload.bin");

        assertThat(result.exit()).isNotZero();
        assertThat(result.err()).containsIgnoringCase("failure");
        assertThat(host.root().resolve("upload.bin")).hasSize(SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES);
    }

    @Test
    void smallUploadToAFullDiskFitsUnderTheQuota() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DISK_FULL);
        Path upload = randomFile(16 * 1024);

        OpenSshClient.Result result = client.sftp(host, "put " + upload + " small.bin");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(host.root().resolve("small.bin")).hasSameBinaryContentAs(upload);
    }

    @Test
    void uploadToAFlakyLinkBreaksTheConnection() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DROP_CONNECTION);
        Path upload = randomFile(UPLOAD_BYTES);

        OpenSshClient.Result result = client.sftp(host, "put " + upload + " upload.bin");

        assertThat(result.exit()).isNotZero();
        assertThat(result.err()).containsIgnoringCase("connection closed");
    }

    @Test
    void flakyLinkKeepsWhatArrivedBeforeTheBreak() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DROP_CONNECTION);
        Path upload = randomFile(UPLOAD_BYTES);

        client.sftp(host, "put " + upload + " upload.bin");

        byte[] arrived = Files.readAllBytes(host.root().resolve("upload.bin"));
        assertThat(arrived).hasSize((int) SimulatedFleet.DEFAULT_DROP_AFTER_BYTES);
        assertThat(Files.readAllBytes(upload)).startsWith(arrived);
    }

    @Test
    void uploadResumedOnEachNewConnectionCompletesOverAFlakyLink() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DROP_CONNECTION);
        Path upload = randomFile(UPLOAD_BYTES);
        List<Integer> exits = new ArrayList<>();

        exits.add(client.sftp(host, "put " + upload + " upload.bin").exit());
        for (int attempt = 0; attempt < 5 && exits.get(exits.size() - 1) != 0; attempt++) {
            exits.add(client.sftp(host, "reput " + upload + " upload.bin").exit());
        }

        // 200 KiB over a link that breaks after 96 KiB: 96, 192, then the rest.
        assertThat(exits).hasSize(3).last().isEqualTo(0);
        assertThat(host.root().resolve("upload.bin")).hasSameBinaryContentAs(upload);
    }

    @Test
    void flakyLinkBreaksEveryNewConnectionAgain() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DROP_CONNECTION);
        Path upload = randomFile(UPLOAD_BYTES);

        OpenSshClient.Result first = client.sftp(host, "put " + upload + " first.bin");
        OpenSshClient.Result second = client.sftp(host, "put " + upload + " second.bin");

        assertThat(first.exit()).isNotZero();
        assertThat(second.exit()).isNotZero();
        assertThat(second.err()).containsIgnoringCase("connection closed");
    }

    @Test
    void commandWritingItsInputToAFullDiskStopsAtTheLimit() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DISK_FULL);
        byte[] input = Files.readAllBytes(randomFile(UPLOAD_BYTES));

        OpenSshClient.Result result = client.ssh(host, "cat > piped.bin && echo written", input);

        assertThat(result.exit()).isNotZero();
        assertThat(result.out()).doesNotContain("written");
        assertThat(host.root().resolve("piped.bin")).hasSize(SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES);
        assertThat(client.ssh(host, "echo small > small.txt && cat small.txt").out()).isEqualTo("small\n");
    }

    @Test
    void flakyLinkBreaksUnderACommandsInputKeepingWhatArrived() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.DROP_CONNECTION);
        byte[] input = Files.readAllBytes(randomFile(UPLOAD_BYTES));

        OpenSshClient.Result result = client.ssh(host, "cat > piped.bin && echo written", input);

        assertThat(result.exit()).as("ssh's status for a lost connection").isEqualTo(255);
        assertThat(result.out()).doesNotContain("written");
        byte[] arrived = Files.readAllBytes(host.root().resolve("piped.bin"));
        assertThat(arrived).hasSize((int) SimulatedFleet.DEFAULT_DROP_AFTER_BYTES);
        assertThat(input).startsWith(arrived);
    }

    @Test
    void flakyLinkStillRunsCommands() throws Exception {
        SimulatedHost host = startOne("1.2.3", Fault.DROP_CONNECTION);

        OpenSshClient.Result result = client.ssh(host, "cat demo-app/current/VERSION");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("1.2.3\n");
    }

    @Test
    void refusingHostCannotBeLoggedInto() throws Exception {
        SimulatedHost host = startOne("1.0.0", Fault.REFUSE_CONNECTIONS);

        OpenSshClient.Result result = client.ssh(host, "true");

        assertThat(result.exit()).isEqualTo(255);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void closedFleetAcceptsNoConnection() throws Exception {
        SimulatedHost host = startOne("1.0.0");
        fleet.close();
        fleet.close();

        OpenSshClient.Result result = client.ssh(host, "true");

        assertThat(result.exit()).isEqualTo(255);
        assertThat(host.root().resolve("demo-app/current/VERSION")).hasContent("1.0.0");
    }

    private SimulatedHost startOne(String version, Fault... faults) {
        return fleet.start("sim", List.of(new HostSpec(version, Set.of(faults)))).get(0);
    }

    private static HostSpec spec(String version) {
        return new HostSpec(version, Set.of());
    }

    private Path randomFile(int size) throws IOException {
        byte[] content = new byte[size];
        new Random(size).nextBytes(content);
        return Files.write(Files.createTempFile(workDir, "upload", ".bin"), content);
    }
}
