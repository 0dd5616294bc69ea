package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;
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
import org.fleetup.inventory.internal.CsvServerImport;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.transport.sftp.SftpTransport;
import org.fleetup.ssh.SshSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ssh:// server and an sftp:// one (a real OpenSSH sshd each, the second offering SFTP only) imported from one CSV
 * with an address column, planned and upgraded in one rollout of the stored engine; judged from their own files.
 */
class SftpRolloutTest {

    @TempDir
    Path dir;

    private TestController controller;
    private SftpTransport sftp;
    private final List<OpenSshServer> sshds = new ArrayList<>();

    @BeforeEach
    void open() {
        assumeTrue(OpenSshServer.available(new OpenSshServer.Options()), "OpenSSH's sshd is not installed");
        controller = new TestController(dir);
        controller.release("2.0.0");
        sftp = new SftpTransport(SshSettings.defaults(), controller.inventory, controller.profiles, controller.planner,
                controller.store,
                Duration.ofSeconds(30), Duration.ofMillis(200));
        controller.transportsByScheme.put("sftp", sftp);
    }

    @AfterEach
    void close() throws Exception {
        if (controller != null) {
            controller.close();
        }
        if (sftp != null) {
            sftp.close();
        }
        sshds.forEach(OpenSshServer::close);
    }

    @Test
    void anSshAndAnSftpOnlyServerImportedFromCsvArePlannedAndUpgradedInOneRollout() throws Exception {
        OpenSshServer shell = sshd("ssh-01", new OpenSshServer.Options().name("ssh-01"));
        OpenSshServer filesOnly = sshd("sftp-01", new OpenSshServer.Options().name("sftp-01").sftpOnly());
        importCsv("name,address,user,keyfile\n"
                + "ssh-01,ssh://127.0.0.1:" + shell.port() + "," + shell.user() + "," + shell.clientKey() + "\n"
                + "sftp-01,sftp://127.0.0.1:" + filesOnly.port() + "," + filesOnly.user() + ","
                + filesOnly.clientKey() + "\n");
        FleetRouting routing = controller.start();
        Release release = controller.store.require(DemoApplication.PRODUCT, "2.0.0");
        List<Server> servers = List.of(controller.inventory.requireServer("ssh-01"),
                controller.inventory.requireServer("sftp-01"));

        Plan plan = routing.plan(release, servers, 2, false);

        assertThat(plan.entries()).extracting(PlanEntry::server, PlanEntry::running, PlanEntry::decision)
                .containsExactly(tuple("ssh-01", "1.4.2", Decision.UPGRADE), tuple("sftp-01", "1.4.2",
                        Decision.UPGRADE));

        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0",
                List.of("ssh-01", "sftp-01"), 2, null, false, "tester", new RolloutOptions(Size.count(0),
                Size.percent(100), Size.percent(100), OnError.PAUSE, ServerOrder.NAME, 2, false)));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        Map<String, RolloutServer> outcomes = routing.servers(rollout.id()).stream()
                .collect(Collectors.toMap(RolloutServer::server, Function.identity()));
        for (OpenSshServer server : sshds) {
            assertThat(ReportStatus.of(outcomes.get(server.name())).label()).as(outcomes.get(server.name())
                    .detail()).isEqualTo("upgraded");
            AppFiles app = AppFiles.under(server.root());
            assertThat(app.current()).as(server.name()).isEqualTo("releases/2.0.0");
            assertThat(app.currentVersion()).as(server.name()).isEqualTo("2.0.0");
            assertThat(app.filesNotMatchingTheirManifest("2.0.0")).as(server.name()).isEmpty();
            assertThat(app.releases()).as(server.name()).containsExactly("1.4.2", "2.0.0");
            assertThat(app.leftovers()).as(server.name()).isEmpty();
        }
    }

    @Test
    void aDebianPackageIsRefusedByThePlanAndAtTheStartForTheSftpOnlyServerAlone() throws Exception {
        OpenSshServer shell = sshd("ssh-01", new OpenSshServer.Options().name("ssh-01"));
        OpenSshServer filesOnly = sshd("sftp-01", new OpenSshServer.Options().name("sftp-01").sftpOnly());
        importCsv("name,address,user,keyfile\n"
                + "ssh-01,ssh://127.0.0.1:" + shell.port() + "," + shell.user() + "," + shell.clientKey() + "\n"
                + "sftp-01,sftp://127.0.0.1:" + filesOnly.port() + "," + filesOnly.user() + ","
                + filesOnly.clientKey() + "\n");
        Path deb = deb("2.0.1");
        try (var content = Files.newInputStream(deb)) {
            controller.store.add(DemoApplication.PRODUCT, "2.0.1", null, deb.getFileName().toString(), content);
        }
        FleetRouting routing = controller.start();
        Release release = controller.store.require(DemoApplication.PRODUCT, "2.0.1");

        assertThatThrownBy(() -> routing.plan(release, List.of(controller.inventory.requireServer("ssh-01"),
                controller.inventory.requireServer("sftp-01")), 2, false))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_INCAPABLE))
                .hasMessageContaining("sftp-01 is reached over sftp://, which runs no commands; the package "
                        + "strategy for demo-app_2.0.1_all.deb needs commands")
                .hasMessageNotContaining("ssh-01 is reached");
        assertThatThrownBy(() -> routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.1",
                List.of("sftp-01"), 1, null, false, "tester", RolloutOptions.defaults(1, false))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_INCAPABLE));
        assertThat(routing.plan(release, List.of(controller.inventory.requireServer("ssh-01")), 1, false)
                .entries()).extracting(PlanEntry::decision).containsExactly(Decision.UPGRADE);
        assertThat(AppFiles.under(filesOnly.root()).current()).isEqualTo("releases/1.4.2");
    }

    /**
     * An sftp:// server imported with no known host key is never connected to; the key an operator then trusts for it
     * (what fleet:server-trust records, in the trust of its transport) is the one its transport checks from then on.
     */
    @Test
    void anSftpServersHostKeyTrustedAfterTheImportIsTheOneItsTransportChecks() throws Exception {
        OpenSshServer filesOnly = sshd("sftp-01", new OpenSshServer.Options().name("sftp-01").sftpOnly());
        new CsvServerImport(controller.inventory, controller.transports).importCsv(new ByteArrayInputStream((
                "name,address,user,keyfile\n"
                + "sftp-01,sftp://127.0.0.1:" + filesOnly.port() + "," + filesOnly.user() + ","
                + filesOnly.clientKey() + "\n").getBytes(StandardCharsets.UTF_8)), ServerImport.HostKeys.NONE, "tester",
                () -> "from the test");
        Server server = controller.inventory.requireServer("sftp-01");

        Inspection unknown = sftp.inspect(server, DemoApplication.PRODUCT);
        assertThat(unknown.status()).isEqualTo(Inspection.Status.UNREACHABLE);
        assertThat(unknown.detail()).contains("Unknown host key for server sftp-01");
        Matcher told = Pattern.compile("'fleet:server-trust sftp-01 (SHA256:\\S+)'").matcher(unknown.detail());
        assertThat(told.find()).as(unknown.detail()).isTrue();

        controller.inventory.trust(server, "SHA256:" + "A".repeat(43));
        Inspection changed = sftp.inspect(server, DemoApplication.PRODUCT);
        assertThat(changed.status()).isEqualTo(Inspection.Status.UNREACHABLE);
        assertThat(changed.detail()).contains("has CHANGED");

        controller.inventory.trust(server, told.group(1));
        FleetRouting routing = controller.start();
        Rollout rollout = routing.start(new RolloutRequest(DemoApplication.PRODUCT, "2.0.0", List.of("sftp-01"), 1,
                null, false, "tester", RolloutOptions.defaults(1, false)));
        Rollout ended = routing.completion(rollout.id()).toCompletableFuture().get(120, TimeUnit.SECONDS);

        assertThat(ended.status()).as(routing.servers(rollout.id()).toString()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(AppFiles.under(filesOnly.root()).current()).isEqualTo("releases/2.0.0");
    }

    private OpenSshServer sshd(String name, OpenSshServer.Options options) throws IOException {
        OpenSshServer server = OpenSshServer.start(dir.resolve("sshd").resolve(name), options);
        sshds.add(server);
        DemoApplication.install(server.root(), "1.4.2");
        return server;
    }

    /** A real Debian package of the demo application, as dpkg-deb builds it. */
    private Path deb(String version) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "dpkg-deb is not installed");
        Path tree = dir.resolve("build-" + version);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + DemoApplication.PRODUCT + "\nVersion: "
                + version + "\nArchitecture: all\nMaintainer: Fleetup tests <tests@fleetup.invalid>\n"
                + "Description: test\n");
        Files.writeString(Files.createDirectories(tree.resolve("opt/demo-app")).resolve("VERSION"), version);
        Path deb = dir.resolve(DemoApplication.PRODUCT + "_" + version + "_all.deb");
        Process build = new ProcessBuilder("dpkg-deb", "--build", "--root-owner-group", tree.toString(),
                deb.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!build.waitFor(60, TimeUnit.SECONDS) || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new IllegalStateException("dpkg-deb failed for " + deb);
        }
        return deb;
    }

    private void importCsv(String csv) {
        Map<Integer, String> hostKeys = sshds.stream().collect(Collectors.toMap(OpenSshServer::port,
                OpenSshServer::hostKey));
        new CsvServerImport(controller.inventory, controller.transports).importCsv(new ByteArrayInputStream(
                csv.getBytes(StandardCharsets.UTF_8)), (server, host, port) -> hostKeys.get(port), "tester",
                () -> "from the test");
    }
}
