package org.fleetup.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each fault a rollout meets after the transfer, as the real OpenSSH client and the host's real tools see it: the
 * health command, the switch of {@code current} and back, busy and read-only servers, a corrupted transfer, a hung
 * server and a reboot.
 */
class SimulatedFaultsTest {

    private static final String SWITCH_TO = "cd demo-app && ln -s releases/%s current.new && mv -T current.new current";

    @TempDir
    Path baseDir;

    @TempDir
    Path workDir;

    private SimulatedFleet fleet;
    private OpenSshClient client;

    @BeforeEach
    void startFleet() {
        fleet = new SimulatedFleet(baseDir, SimulatedFleet.DEFAULT_DROP_AFTER_BYTES,
                SimulatedFleet.DEFAULT_DISK_QUOTA_BYTES, Duration.ofSeconds(2), Duration.ofSeconds(3));
        client = new OpenSshClient(fleet, workDir);
    }

    @AfterEach
    void stopFleet() {
        fleet.close();
    }

    @Test
    void aFailingHealthCheckFailsEveryReleaseButTheOneItStartedWith() throws Exception {
        SimulatedHost host = startOne(Fault.HEALTH_FAILS);
        assertThat(health(host).out()).isEqualTo("1.0.0\n");
        stage(host, "2.0.0");

        OpenSshClient.Result switched = client.ssh(host, SWITCH_TO.formatted("2.0.0")
                + " && current/bin/demo-app --version");

        assertThat(switched.exit()).as(switched.out()).isEqualTo(1);
        assertThat(switched.err()).contains("demo-app 2.0.0: cannot start (simulated HEALTH_FAILS)");
        OpenSshClient.Result back = client.ssh(host, SWITCH_TO.formatted("1.0.0") + " && current/bin/demo-app");
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(back.out()).isEqualTo("1.0.0\n");
    }

    @Test
    void aHangingHealthCheckNeverReturns() throws Exception {
        SimulatedHost host = startOne(Fault.HEALTH_HANGS);
        stage(host, "2.0.0");

        OpenSshClient.Result result = client.ssh(host, SWITCH_TO.formatted("2.0.0")
                + " && timeout 3 current/bin/demo-app --version");

        assertThat(result.exit()).as("timeout(1) ended it: " + result.err()).isEqualTo(124);
        assertThat(result.out()).isEmpty();
    }

    @Test
    void theConnectionDropsRightAfterCurrentIsSwitchedOnce() throws Exception {
        SimulatedHost host = startOne(Fault.DROP_AFTER_SWITCH);
        stage(host, "2.0.0");

        OpenSshClient.Result switched = client.ssh(host, SWITCH_TO.formatted("2.0.0")
                + " && sleep 30 && echo still-connected");

        assertThat(switched.exit()).as(switched.err()).isEqualTo(255);
        assertThat(switched.out()).doesNotContain("still-connected");
        assertThat(Files.readSymbolicLink(host.root().resolve("demo-app/current"))).isEqualTo(Path.of("releases",
                "2.0.0"));
        OpenSshClient.Result next = client.ssh(host, SWITCH_TO.formatted("1.0.0") + " && cat current/VERSION");
        assertThat(next.exit()).as(next.err()).isZero();
        assertThat(next.out()).isEqualTo("1.0.0\n");
    }

    @Test
    void aDroppedConnectionEndsWhatTheCommandStartedButNotWhatLeftItsSession() throws Exception {
        SimulatedHost host = startOne(Fault.DROP_AFTER_SWITCH);
        stage(host, "2.0.0");

        OpenSshClient.Result switched = client.ssh(host, "setsid sh -c 'sleep 1; echo unit > detached.txt'"
                + " </dev/null >/dev/null 2>&1 & (sleep 1; echo child > attached.txt) &"
                + SWITCH_TO.formatted("2.0.0") + " && sleep 30");

        assertThat(switched.exit()).as(switched.err()).isEqualTo(255);
        await("the detached process's file").atMost(Duration.ofSeconds(20))
                .until(() -> Files.exists(host.root().resolve("detached.txt")));
        // Both slept as long: the attached one would have written by now, had it not been killed with the channel.
        assertThat(host.root().resolve("detached.txt")).hasContent("unit");
        assertThat(host.root().resolve("attached.txt")).doesNotExist();
    }

    @Test
    void switchingBackFailsOnceTheNewReleaseFailedItsHealthCheck() throws Exception {
        SimulatedHost host = startOne(Fault.ROLLBACK_FAILS);
        stage(host, "2.0.0");
        OpenSshClient.Result health = client.ssh(host, SWITCH_TO.formatted("2.0.0")
                + " && current/bin/demo-app --version");
        assertThat(health.exit()).isEqualTo(1);
        assertThat(health.err()).contains("simulated ROLLBACK_FAILS");

        OpenSshClient.Result back = client.ssh(host, SWITCH_TO.formatted("1.0.0"));

        assertThat(back.exit()).as("the rollback's switch failed").isNotZero();
        assertThat(back.err()).containsAnyOf("Permission denied", "Operation not permitted");
        assertThat(Files.readSymbolicLink(host.root().resolve("demo-app/current"))).isEqualTo(Path.of("releases",
                "2.0.0"));
    }

    @Test
    void aBusyMarkerExistsForAWhileThenDisappears() throws Exception {
        SimulatedHost host = startOne(Fault.BUSY);

        assertThat(client.ssh(host, "test -e demo-app/.busy").exit()).isZero();
        await("the busy marker gone").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.ssh(host, "test -e demo-app/.busy").exit() == 1);
    }

    @Test
    void theReleasesDirectoryCannotBeWritten() throws Exception {
        SimulatedHost host = startOne(Fault.READ_ONLY);

        OpenSshClient.Result mkdir = client.ssh(host, "mkdir demo-app/releases/2.0.0");

        assertThat(mkdir.exit()).isNotZero();
        assertThat(mkdir.err()).containsAnyOf("Permission denied", "Operation not permitted");
        assertThat(host.root().resolve("demo-app/releases/2.0.0")).doesNotExist();
        OpenSshClient.Result put = client.sftp(host, "put " + release("2.0.0") + " demo-app/releases/x.tar.gz");
        assertThat(put.exit()).isNotZero();
        assertThat(client.ssh(host, "cat demo-app/current/VERSION").out()).isEqualTo("1.0.0\n");
    }

    @Test
    void theFirstTransferIsCorruptedOnceAndASecondArrivesIntact() throws Exception {
        SimulatedHost host = startOne(Fault.CORRUPT_TRANSFER);
        Path artifact = release("2.0.0");
        String expected = OpenSshClient.local(workDir.toFile(), "sha256sum", artifact.toString()).out()
                .split(" ")[0];

        assertThat(client.sftp(host, "put " + artifact + " upload.tar.gz").exit()).isZero();
        String first = client.ssh(host, "sha256sum upload.tar.gz").out().split(" ")[0];
        assertThat(client.sftp(host, "put " + artifact + " upload.tar.gz").exit()).isZero();
        String second = client.ssh(host, "sha256sum upload.tar.gz").out().split(" ")[0];

        assertThat(first).isNotEqualTo(expected);
        assertThat(second).isEqualTo(expected);
    }

    @Test
    void theFirstCommandInputIsCorruptedOnceAndASecondArrivesIntact() throws Exception {
        SimulatedHost host = startOne(Fault.CORRUPT_TRANSFER);
        Path artifact = release("2.0.0");
        String expected = OpenSshClient.local(workDir.toFile(), "sha256sum", artifact.toString()).out()
                .split(" ")[0];
        byte[] input = Files.readAllBytes(artifact);

        String first = client.ssh(host, "cat > piped.tar.gz && sha256sum piped.tar.gz", input).out().split(" ")[0];
        String second = client.ssh(host, "cat > piped.tar.gz && sha256sum piped.tar.gz", input).out().split(" ")[0];

        assertThat(first).isNotEqualTo(expected);
        assertThat(second).isEqualTo(expected);
    }

    @Test
    void aHungServerAcceptsTheConnectionAndNeverAnswers() throws Exception {
        SimulatedHost host = startOne(Fault.HUNG);

        OpenSshClient.Result result = client.withConnectTimeout(2).ssh(host, "true");

        assertThat(result.exit()).isEqualTo(255);
        assertThat(result.err()).contains("banner exchange").containsIgnoringCase("timed out");
    }

    @Test
    void aRebootTakesTheServerAwayAndItComesBackWithANewBootId() throws Exception {
        SimulatedHost host = startOne(Fault.REBOOT);
        String bootId = client.ssh(host, "cat .sim/boot_id").out();
        assertThat(bootId).matches("[0-9a-f-]{36}\n");

        OpenSshClient.Result reboot = client.ssh(host, "reboot");

        assertThat(reboot.exit()).as("the connection dropped: " + reboot.err()).isEqualTo(255);
        OpenSshClient.Result whileDown = client.ssh(host, "true");
        assertThat(whileDown.exit()).isEqualTo(255);
        assertThat(whileDown.err()).contains("Connection refused");
        await("the host back").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> client.ssh(host, "true").exit() == 0);
        String after = client.ssh(host, "cat .sim/boot_id").out();
        assertThat(after).matches("[0-9a-f-]{36}\n").isNotEqualTo(bootId);
        assertThat(client.ssh(host, "cat demo-app/current/VERSION").out()).isEqualTo("1.0.0\n");
    }

    private SimulatedHost startOne(Fault... faults) {
        return fleet.start("fault", List.of(new HostSpec("1.0.0", Set.of(faults)))).get(0);
    }

    private OpenSshClient.Result health(SimulatedHost host) throws IOException, InterruptedException {
        return client.ssh(host, "cd demo-app && current/bin/demo-app --version");
    }

    private Path release(String version) {
        return DemoApplication.writeRelease(version, workDir.resolve("demo-app-" + version + ".tar.gz"));
    }

    /** Sends a release and unpacks it beside the others, as a rollout does before its switch. */
    private void stage(SimulatedHost host, String version) throws IOException, InterruptedException {
        assertThat(client.sftp(host, "put " + release(version) + " staged.tar.gz").exit()).isZero();
        OpenSshClient.Result unpacked = client.ssh(host, "mkdir demo-app/releases/" + version
                + " && tar -xzf staged.tar.gz -C demo-app/releases/" + version);
        assertThat(unpacked.exit()).as(unpacked.err()).isZero();
    }
}
