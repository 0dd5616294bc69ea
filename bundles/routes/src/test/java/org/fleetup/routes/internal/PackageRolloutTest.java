package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code .deb} added to the release store as an operator adds it is rolled out through the engine to real OpenSSH
 * servers by the package strategy, which the file's name chose: the real {@code dpkg} installs it into a database of
 * each server's own ({@code dpkg --root} under the login's home, as a login that is not root would). Judged by dpkg's
 * database on each server (its {@code status} file), the installed files and the copy of the package kept there.
 */
class PackageRolloutTest {

    private static final String PRODUCT = "demo-app";
    private static final String DPKG = "dpkg --root=$HOME/sys --force-not-root --force-script-chrootless";

    @TempDir
    Path dir;

    private TestController controller;
    private final List<OpenSshServer> sshds = new ArrayList<>();

    @BeforeEach
    void open() {
        assumeTrue(OpenSshServer.available(new OpenSshServer.Options()), "OpenSSH's sshd is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")) && Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
                "dpkg is not installed");
        // The profile as an operator writes it in etc/org.fleetup.profiles.cfg: nothing says "package" but the file.
        controller = new TestController(dir, TestController.Tuning.defaults(), Map.of("scheme", "semantic",
                "versionCommand", "cat \"$HOME/sys/opt/demo-app/VERSION\"",
                "healthCommand", "cat \"$HOME/sys/opt/demo-app/ANSWER\"",
                "packageCommand", DPKG));
    }

    @AfterEach
    void close() {
        if (controller != null) {
            controller.close();
        }
        sshds.forEach(OpenSshServer::close);
    }

    @Test
    void storedDebIsRolledOutByDpkgToEveryServer() throws Exception {
        List<String> names = List.of("deb-01", "deb-02");
        Path old = deb("1.0.0");
        for (String name : names) {
            sshd(name, old);
        }
        Path deb = deb("2.0.0");
        Release release;
        try (InputStream in = Files.newInputStream(deb)) {
            release = controller.store.add(PRODUCT, "2.0.0", "application", deb.toString(), in);
        }
        assertThat(release.fileName()).isEqualTo("demo-app_2.0.0_all.deb");
        FleetRouting routing = controller.start();

        Rollout rollout = routing.start(new RolloutRequest(PRODUCT, "2.0.0", names, 2, null, false, "tester",
                new RolloutOptions(Size.count(0), Size.percent(100), Size.percent(100), OnError.PAUSE,
                        ServerOrder.NAME, 2, false)));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        for (OpenSshServer sshd : sshds) {
            RolloutServer server = routing.servers(rollout.id()).stream()
                    .filter(s -> s.server().equals(sshd.name())).findFirst().orElseThrow();
            assertThat(ReportStatus.of(server).label()).as(server.detail()).isEqualTo("upgraded");
            assertThat(controller.repository.history(rollout.id(), sshd.name())).extracting(StepRecord::detail)
                    .anyMatch(detail -> detail.contains("installing demo-app_2.0.0_all.deb by the package strategy"));
            Path system = sshd.root().resolve("sys");
            assertThat(Files.readAllLines(system.resolve("var/lib/dpkg/status"))).as(sshd.name())
                    .containsSubsequence("Package: demo-app", "Status: install ok installed", "Version: 2.0.0");
            assertThat(system.resolve("opt/demo-app/VERSION")).hasContent("2.0.0");
            Path root = sshd.root().resolve(PRODUCT);
            assertThat(root.resolve("packages/demo-app_2.0.0.deb")).hasSameBinaryContentAs(deb);
            assertThat(root.resolve("releases")).as("nothing unpacked").doesNotExist();
            assertThat(root.resolve("current")).doesNotExist();
            assertThat(root.resolve("staging")).isEmptyDirectory();
        }
    }

    /** An sshd whose own dpkg database, under its login's home, has {@code installed} installed. */
    private void sshd(String name, Path installed) throws IOException {
        OpenSshServer server = OpenSshServer.start(dir.resolve("sshd").resolve(name),
                new OpenSshServer.Options().name(name));
        sshds.add(server);
        Path system = server.root().resolve("sys");
        Files.createDirectories(system.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(system.resolve("var/lib/dpkg/info"));
        Files.createFile(system.resolve("var/lib/dpkg/status"));
        Files.createDirectories(server.root().resolve(PRODUCT));
        run(List.of("dpkg", "--root=" + system, "--force-not-root", "--force-script-chrootless", "-i",
                installed.toString()));
        controller.inventory.addServers(List.of(new Server(name, "openssh",
                URI.create("ssh://127.0.0.1:" + server.port()), LoginSettings.of(server.user(),
                server.clientKey().toString()),
                Map.of())), Map.of(name, server.hostKey()));
    }

    /** A package that installs {@code /opt/demo-app/VERSION} and the {@code ANSWER} its health check prints. */
    private Path deb(String version) throws IOException {
        Path tree = dir.resolve("build-" + version);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + PRODUCT + "\nVersion: " + version
                + "\nArchitecture: all\nMaintainer: Fleetup tests <tests@fleetup.invalid>\nDescription: test\n");
        Path files = Files.createDirectories(tree.resolve("opt/demo-app"));
        Files.writeString(files.resolve("VERSION"), version);
        Files.writeString(files.resolve("ANSWER"), version);
        Path deb = Files.createDirectories(dir.resolve("debs-" + version)).resolve(PRODUCT + "_" + version
                + "_all.deb");
        run(List.of("dpkg-deb", "--build", "--root-owner-group", tree.toString(), deb.toString()));
        return deb;
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
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
}
