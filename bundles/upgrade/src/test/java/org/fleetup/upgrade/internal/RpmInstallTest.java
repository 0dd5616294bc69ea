package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package strategy with the real {@code rpm} against a real OpenSSH server: packages built here by
 * {@code rpmbuild}, installed into a database of their own ({@code rpm --root} under the login's home). Judged by
 * what rpm's database answers and the installed files.
 */
class RpmInstallTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final String PRODUCT = "demo-app";
    // Debian's rpm keeps its database in ~/.rpmdb unless told: the server's login and the test have other homes.
    private static final String DBPATH = "--dbpath=/var/lib/rpm";
    private static final String RPM = "rpm --root=$HOME/sys " + DBPATH;

    @TempDir
    Path temp;

    private OpenSshServer sshd;
    private Server server;
    private Path system;
    private Path root;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name("gnu");
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rpm")) && Files.isExecutable(Path.of("/usr/bin/rpmbuild")),
                "rpm is not installed (Debian's package rpm)");
        sshd = OpenSshServer.start(temp.resolve("sshd"), options);
        server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        system = Files.createDirectories(sshd.root().resolve("sys"));
        run(List.of("rpm", "--root=" + system, DBPATH, "--initdb"));
        root = Files.createDirectories(sshd.root().resolve(PRODUCT));
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void rpmUpgradesThePackageAndKeepsItsCopy() throws IOException {
        Path first = rpm("1.0.0", "1.0.0");
        Path second = rpm("2.0.0", "2.0.0");

        ServerOutcome installed = install(release("1.0.0", first), first);
        ServerOutcome upgraded = install(release("2.0.0", second), second);

        assertThat(installed.state()).as(installed.detail()).isEqualTo(StepState.DONE);
        assertThat(upgraded).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(installedVersions()).isEqualTo("2.0.0");
        assertThat(system.resolve("opt/demo-app/ANSWER")).hasContent("2.0.0");
        assertThat(root.resolve("packages/demo-app_2.0.0.rpm")).hasSameBinaryContentAs(second);
    }

    @Test
    void failingHealthCheckReinstallsTheOlderRpm() throws IOException {
        Path good = rpm("1.0.0", "1.0.0");
        Path liar = rpm("2.0.0", "1.9.9");
        install(release("1.0.0", good), good);

        ServerOutcome outcome = install(release("2.0.0", liar), liar);

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail())
                .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.0.0 (verified)");
        assertThat(installedVersions()).isEqualTo("1.0.0");
        assertThat(system.resolve("opt/demo-app/ANSWER")).hasContent("1.0.0");
        assertThat(root.resolve("packages/demo-app_2.0.0.rpm")).doesNotExist();
    }

    /** Every version of the package rpm's database holds, one a line. */
    private String installedVersions() throws IOException {
        Process process = new ProcessBuilder("rpm", "--root=" + system, DBPATH, "-q", "--qf", "%{VERSION}\n", PRODUCT)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Path rpm(String version, String answer) throws IOException {
        Path spec = Files.writeString(temp.resolve("demo-" + version + "-" + answer + ".spec"), String.join("\n",
                "Name: " + PRODUCT, "Version: " + version, "Release: 1", "Summary: test", "License: MIT",
                "BuildArch: noarch", "%description", "test", "%install",
                "mkdir -p %{buildroot}/opt/demo-app",
                "printf '%s' " + version + " > %{buildroot}/opt/demo-app/VERSION",
                "printf '%s' " + answer + " > %{buildroot}/opt/demo-app/ANSWER",
                "%files", "/opt/demo-app/VERSION", "/opt/demo-app/ANSWER", ""));
        Path top = temp.resolve("rpmbuild-" + version + "-" + answer);
        run(List.of("rpmbuild", "-bb", "--quiet", "--define", "_topdir " + top, spec.toString()));
        return top.resolve("RPMS/noarch/" + PRODUCT + "-" + version + "-1.noarch.rpm");
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Release release(String version, Path rpm) throws IOException {
        return new Release(PRODUCT, version, "os", Archives.sha256(rpm), Files.size(rpm), rpm.getFileName().toString(),
                Instant.now());
    }

    private ServerOutcome install(Release release, Path artifact) {
        ProductProfile profile = new ProductProfile(PRODUCT, "$HOME/" + PRODUCT,
                "cat \"$HOME/sys/opt/demo-app/VERSION\"", "cat \"$HOME/sys/opt/demo-app/ANSWER\"", "semantic",
                ProductProfile.DEFAULT_BUSY_MARKER, new ProductProfile.Installer("auto", "", "", "", "", "", RPM));
        SshTransport transport = new SshTransport(SshSettings.defaults(), trust);
        try (Session session = transport.connect(server)) {
            return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3).install(session,
                    () -> transport.connect(server), profile, release, open(artifact),
                    new StepReporter("rollout-1", server.name(), events::add));
        } finally {
            transport.close();
        }
    }

    private static Supplier<InputStream> open(Path file) {
        return () -> {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
