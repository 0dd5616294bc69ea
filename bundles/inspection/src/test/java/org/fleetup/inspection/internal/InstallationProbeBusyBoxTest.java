package org.fleetup.inspection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.transport.CommandResult;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inspector's script on a real OpenSSH server whose shell and tools are BusyBox's only, run by OpenSSH's own
 * client: "not installed" is told apart from "broken" by BusyBox's {@code ash} as by {@code dash}.
 */
class InstallationProbeBusyBoxTest {

    private static final String PRODUCT = DemoApplication.PRODUCT;
    private static final String SCRIPT = SessionInspector.probe(new ProductProfile(PRODUCT, "$HOME/" + PRODUCT,
            "cat current/VERSION", "current/bin/" + PRODUCT + " --version", "semantic")).script();

    @TempDir
    Path temp;

    private OpenSshServer sshd;

    @BeforeEach
    void start() throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name("busybox").busyBoxOnly();
        assumeTrue(OpenSshServer.available(options), "openssh-server or busybox is not installed");
        sshd = OpenSshServer.start(temp.resolve("sshd"), options);
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void noRootIsNotInstalled() throws Exception {
        CommandResult result = run(SCRIPT);

        assertThat(InstallationProbe.notInstalled(result)).as(result.toString()).isTrue();
    }

    @Test
    void aRootWithoutCurrentIsNotInstalled() throws Exception {
        Files.createDirectories(sshd.root().resolve(PRODUCT).resolve("releases"));

        CommandResult result = run(SCRIPT);

        assertThat(InstallationProbe.notInstalled(result)).as(result.toString()).isTrue();
    }

    @Test
    void aCurrentPointingNowhereIsAFailureOfItsOwn() throws Exception {
        Path app = Files.createDirectories(sshd.root().resolve(PRODUCT));
        Files.createSymbolicLink(app.resolve("current"), Path.of("releases", "9.9.9"));

        CommandResult result = run(SCRIPT);

        assertThat(InstallationProbe.notInstalled(result)).as(result.toString()).isFalse();
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.problem()).contains("VERSION");
    }

    @Test
    void aRootThatIsAFileIsAFailureOfItsOwn() throws Exception {
        Files.writeString(sshd.root().resolve(PRODUCT), "not a directory\n");

        CommandResult result = run(SCRIPT);

        assertThat(InstallationProbe.notInstalled(result)).as(result.toString()).isFalse();
        assertThat(result.exitCode()).isNotZero();
    }

    @Test
    void anInstalledReleaseAnswersItsVersion() throws Exception {
        DemoApplication.install(sshd.root(), "1.4.2");

        CommandResult result = run(SCRIPT);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).isEqualTo("1.4.2\n");
    }

    private CommandResult run(String command) throws IOException, InterruptedException {
        Path knownHosts = sshd.clientKey().resolveSibling("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + sshd.port() + " " + sshd.hostKey() + "\n");
        Path stderr = temp.resolve("stderr");
        Process process = new ProcessBuilder(List.of("ssh", "-i", sshd.clientKey().toString(), "-p",
                Integer.toString(sshd.port()), "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + knownHosts,
                "-o", "StrictHostKeyChecking=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                sshd.user() + "@127.0.0.1", command))
                .redirectError(stderr.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("ssh did not end within 30 s");
        }
        return new CommandResult(process.exitValue(), out, Files.readString(stderr));
    }
}
