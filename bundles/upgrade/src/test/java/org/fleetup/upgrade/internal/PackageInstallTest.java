package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.fleetup.upgrade.StepReporter;
import org.fleetup.upgrade.internal.DyingSession.ControllerDied;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package strategy with the real {@code dpkg} against a real OpenSSH server: packages built here by
 * {@code dpkg-deb --build}, installed into a database of their own under the login's home ({@code dpkg --root}, as a
 * login that is not root would). Judged by dpkg's own database (its {@code status} file), the installed files and the
 * copies kept on the server.
 */
class PackageInstallTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final String PRODUCT = "demo-app";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String DPKG = "dpkg --root=$HOME/sys --force-not-root --force-script-chrootless";

    @TempDir
    Path temp;

    private OpenSshServer sshd;
    private Server server;
    private Path system;
    private Path root;
    private DyingSession last;
    private final List<StepEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name("gnu");
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")) && Files.isExecutable(Path.of("/usr/bin/dpkg-deb")),
                "dpkg is not installed");
        sshd = OpenSshServer.start(temp.resolve("sshd"), options);
        server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
        system = sshd.root().resolve("sys");
        Files.createDirectories(system.resolve("var/lib/dpkg/updates"));
        Files.createDirectories(system.resolve("var/lib/dpkg/info"));
        Files.createFile(system.resolve("var/lib/dpkg/status"));
        root = sshd.root().resolve(PRODUCT);
        Files.createDirectories(root);
        Files.createFile(root.resolve("gate"));
    }

    @AfterEach
    void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    @Test
    void packagesAreInstalledByDpkgAndKeptForALaterRollback() throws IOException {
        Path first = deb(PRODUCT, "1.0.0", "1.0.0");
        Path second = deb(PRODUCT, "2.0.0", "2.0.0");

        ServerOutcome installed = install(Journal.inMemory(), release("1.0.0", first), first, UnaryOperator.identity());
        ServerOutcome upgraded = install(Journal.inMemory(), release("2.0.0", second), second,
                UnaryOperator.identity());

        assertThat(installed).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, null, "1.0.0",
                "installed 1.0.0 (verified); no release ran before"));
        assertThat(upgraded).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(dpkgStatus()).containsSubsequence("Package: demo-app", "Status: install ok installed",
                "Version: 2.0.0");
        assertThat(system.resolve("opt/demo-app/ANSWER")).hasContent("2.0.0");
        assertThat(root.resolve("packages/demo-app_1.0.0.deb")).hasSameBinaryContentAs(first);
        assertThat(root.resolve("packages/demo-app_2.0.0.deb")).hasSameBinaryContentAs(second);
        assertThat(root.resolve("staging")).isEmptyDirectory();
        assertThat(unitJournals()).anySatisfy(journal -> assertThat(journal)
                .containsSubsequence("previous 1.0.0", "switched 2.0.0", "health ok", "switched-healthy"));
    }

    @Test
    void failingHealthCheckReinstallsThePreviousPackageFromItsCopy() throws IOException {
        Path good = deb(PRODUCT, "1.0.0", "1.0.0");
        Path liar = deb(PRODUCT, "2.0.0", "1.9.9");
        install(Journal.inMemory(), release("1.0.0", good), good, UnaryOperator.identity());

        ServerOutcome outcome = install(Journal.inMemory(), release("2.0.0", liar), liar, UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail())
                .startsWith("health check printed '1.9.9', expected 2.0.0; rolled back to 1.0.0 (verified)");
        assertThat(dpkgStatus()).containsSubsequence("Package: demo-app", "Status: install ok installed",
                "Version: 1.0.0");
        assertThat(system.resolve("opt/demo-app/ANSWER")).hasContent("1.0.0");
        assertThat(root.resolve("packages/demo-app_2.0.0.deb")).doesNotExist();
        assertThat(root.resolve("packages/demo-app_1.0.0.deb")).hasSameBinaryContentAs(good);
    }

    @Test
    void withoutACopyOfThePreviousPackageTheFailureSaysWhyItCannotGoBack() throws Exception {
        Path good = deb(PRODUCT, "1.0.0", "1.0.0");
        Path liar = deb(PRODUCT, "2.0.0", "1.9.9");
        dpkg("-i", good.toString());

        ServerOutcome outcome = install(Journal.inMemory(), release("2.0.0", liar), liar, UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isEqualTo("health check printed '1.9.9', expected 2.0.0; reinstalling 1.0.0 "
                + "failed: no copy of demo-app 1.0.0 in " + root.toRealPath() + "/packages to reinstall: install it "
                + "by hand; the package demo-app 2.0.0 stays installed");
        assertThat(dpkgStatus()).containsSubsequence("Package: demo-app", "Version: 2.0.0");
    }

    @Test
    void failedFirstInstallIsRemovedFromDpkg() throws IOException {
        Path liar = deb(PRODUCT, "2.0.0", "1.9.9");

        ServerOutcome outcome = install(Journal.inMemory(), release("2.0.0", liar), liar, UnaryOperator.identity());

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(outcome.detail()).isEqualTo("health check printed '1.9.9', expected 2.0.0; no release ran before "
                + "2.0.0: removed the package demo-app, nothing of it is installed, as before");
        assertThat(dpkgStatus()).noneMatch(line -> line.equals("Status: install ok installed"));
        assertThat(system.resolve("opt/demo-app/ANSWER")).doesNotExist();
    }

    @Test
    void packageNamedOtherwiseIsRefusedBeforeDpkgRuns() throws IOException {
        Path other = deb("other-app", "2.0.0", "2.0.0");

        ServerOutcome outcome = install(Journal.inMemory(), release("2.0.0", other), other, UnaryOperator.identity());

        assertThat(outcome.state()).isEqualTo(StepState.FAILED);
        assertThat(outcome.detail()).isEqualTo("the package is named 'other-app', not 'demo-app' as the product "
                + "profile says (packageName): nothing was installed; fix the profile's packageName or the package");
        assertThat(dpkgStatus()).isEmpty();
        assertThat(unitJournals()).isEmpty();
    }

    @Test
    void tarGzForThePackageStrategyIsRefusedBeforeAnythingChanges() throws IOException {
        Path archive = Files.write(temp.resolve("demo-app-2.0.0.tar.gz"), new byte[] {31, -117, 8, 0});
        Release release = new Release(PRODUCT, "2.0.0", "application", Archives.sha256(archive), Files.size(archive),
                "demo-app-2.0.0.tar.gz", Instant.now());
        ProductProfile packaged = profile(new ProductProfile.Installer("package", "", "", "", "", "", DPKG));
        List<Path> before = listing();

        assertThatThrownBy(() -> install(Journal.inMemory(), release, archive, packaged, UnaryOperator.identity()))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release demo-app/2.0.0 (application) cannot be installed: the package strategy installs "
                        + "only .deb and .rpm files, not 'demo-app-2.0.0.tar.gz': add the release as a package, or "
                        + "set the profile's strategy to directories or script.");
        assertThat(listing()).isEqualTo(before);
    }

    /** The controller dies while the unit's health check runs; the unit ends alone; a new controller reads it. */
    @Test
    void unitFinishesAloneAfterTheControllerDiedAndDpkgIsNotRunAgain() throws IOException {
        Path first = deb(PRODUCT, "1.0.0", "1.0.0");
        Path second = deb(PRODUCT, "2.0.0", "2.0.0");
        install(Journal.inMemory(), release("1.0.0", first), first, UnaryOperator.identity());
        Files.delete(root.resolve("gate"));
        Journal journal = Journal.inMemory();
        Release release = release("2.0.0", second);

        assertThatThrownBy(() -> install(journal, release, second, s -> s.dieWhileRunning(
                command -> command.contains("sh -c 'mode=$1"), () -> unitJournalSays("switched 2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        assertThat(dpkgStatus()).contains("Version: 2.0.0");
        Files.createFile(root.resolve("gate"));
        Awaitility.await("the unit ends alone on the server").atMost(WAIT)
                .until(() -> unitJournalSays(UnitReport.SWITCHED_HEALTHY));
        Journal resumed = Journal.inMemory();
        resumed.record(StepState.PENDING, "resumed", journal.entries());

        ServerOutcome outcome = install(resumed, release, second, UnaryOperator.identity());

        assertThat(outcome).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(last.commands()).noneMatch(command -> command.contains("sh -c 'mode=$1"));
        assertThat(last.sentBytes()).isZero();
        assertThat(dpkgStatus()).containsSubsequence("Status: install ok installed", "Version: 2.0.0");
        assertThat(root.resolve("packages/demo-app_2.0.0.deb")).hasSameBinaryContentAs(second);
    }

    /** The unit is killed after dpkg ran, as when the server goes down: the next unit installs again, harmlessly. */
    @Test
    void unitKilledAfterDpkgRanIsRunAgainAndTheServerEndsOnTheNewPackage() throws IOException {
        Path first = deb(PRODUCT, "1.0.0", "1.0.0");
        Path second = deb(PRODUCT, "2.0.0", "2.0.0");
        install(Journal.inMemory(), release("1.0.0", first), first, UnaryOperator.identity());
        Files.delete(root.resolve("gate"));
        Journal journal = Journal.inMemory();
        Release release = release("2.0.0", second);
        assertThatThrownBy(() -> install(journal, release, second, s -> s.dieWhileRunning(
                command -> command.contains("sh -c 'mode=$1"), () -> unitJournalSays("switched 2.0.0"))))
                .isInstanceOf(ControllerDied.class);
        String unit = journal.entries().get(JournalKeys.UNIT);
        ProcessHandle handle = ProcessHandle.of(Long.parseLong(Files.readAllLines(root.resolve(SwitchUnit.journal(unit)))
                .get(0).substring("pid ".length()))).orElseThrow();
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        Awaitility.await("the unit is gone").atMost(WAIT).until(() -> !handle.isAlive());
        Files.createFile(root.resolve("gate"));
        Journal resumed = Journal.inMemory();
        resumed.record(StepState.PENDING, "resumed", journal.entries());

        ServerOutcome outcome = install(resumed, release, second, UnaryOperator.identity());

        assertThat(outcome).isEqualTo(new ServerOutcome(server.name(), StepState.DONE, "1.0.0", "2.0.0",
                "upgraded from 1.0.0 to 2.0.0 (verified)"));
        assertThat(last.commands()).filteredOn(command -> command.contains("sh -c 'mode=$1")).hasSize(1);
        assertThat(dpkgStatus()).containsSubsequence("Package: demo-app", "Status: install ok installed",
                "Version: 2.0.0");
        assertThat(unitJournals()).filteredOn(lines -> lines.contains("previous 1.0.0")).hasSize(2);
        assertThat(root.resolve("packages/demo-app_2.0.0.deb")).hasSameBinaryContentAs(second);
        assertThat(root.resolve("staging")).isEmptyDirectory();
    }

    private ProductProfile profile(ProductProfile.Installer installer) {
        return new ProductProfile(PRODUCT, "$HOME/" + PRODUCT, "cat \"$HOME/sys/opt/demo-app/VERSION\"",
                "while [ ! -e gate ]; do sleep 0.1; done; cat \"$HOME/sys/opt/demo-app/ANSWER\"", "semantic",
                ProductProfile.DEFAULT_BUSY_MARKER, installer);
    }

    /** A package that installs {@code /opt/<name>/VERSION} and an {@code ANSWER} for the health check. */
    private Path deb(String name, String version, String answer) throws IOException {
        Path tree = temp.resolve("build-" + name + "-" + version + "-" + answer);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: " + version
                + "\nArchitecture: all\nMaintainer: Fleetup tests <tests@fleetup.invalid>\nDescription: test\n");
        Path files = Files.createDirectories(tree.resolve("opt/demo-app"));
        Files.writeString(files.resolve("VERSION"), version);
        Files.writeString(files.resolve("ANSWER"), answer);
        Path deb = temp.resolve(name + "_" + version + "_" + answer + ".deb");
        run(List.of("dpkg-deb", "--build", "--root-owner-group", tree.toString(), deb.toString()));
        return deb;
    }

    private void dpkg(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("dpkg", "--root=" + system, "--force-not-root",
                "--force-script-chrootless"));
        command.addAll(List.of(arguments));
        run(command);
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

    private static Release release(String version, Path deb) throws IOException {
        return new Release(PRODUCT, version, "application", Archives.sha256(deb), Files.size(deb),
                PRODUCT + "_" + version + "_all.deb", Instant.now());
    }

    private ServerOutcome install(Journal journal, Release release, Path artifact,
                                  UnaryOperator<DyingSession> death) {
        return install(journal, release, artifact, profile(new ProductProfile.Installer("auto", "", "", "", "", "",
                DPKG)), death);
    }

    private ServerOutcome install(Journal journal, Release release, Path artifact, ProductProfile profile,
                                  UnaryOperator<DyingSession> death) {
        SshTransport transport = new SshTransport(SshSettings.defaults(), trust);
        try {
            DyingSession session = death.apply(new DyingSession(transport.connect(server), transport::close));
            last = session;
            return new ReleaseDirectoryInstall(Duration.ofSeconds(30), 3).install(session,
                    () -> session.isOpen() ? transport.connect(server) : dead(), profile, release, open(artifact),
                    new StepReporter("rollout-1", server.name(), events::add),
                    ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, journal);
        } finally {
            transport.close();
        }
    }

    private static org.fleetup.api.transport.Session dead() {
        throw new ControllerDied("before reconnecting");
    }

    private List<String> dpkgStatus() throws IOException {
        return Files.readAllLines(system.resolve("var/lib/dpkg/status"));
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> files = Files.walk(sshd.root())) {
            return files.sorted().toList();
        }
    }

    private List<List<String>> unitJournals() {
        Path units = root.resolve(SwitchUnit.DIRECTORY);
        if (!Files.isDirectory(units)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(units)) {
            return files.filter(p -> p.toString().endsWith(".journal")).map(p -> {
                try {
                    return Files.readAllLines(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean unitJournalSays(String line) {
        return unitJournals().stream().anyMatch(journal -> journal.contains(line));
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
