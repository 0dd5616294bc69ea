package org.fleetup.inspection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.fleetup.testing.ServerTrusts.trusted;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.io.file.PathUtils;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspection.Status;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against real SSH servers: a simulated fleet on loopback, reached through the real SSH transport. */
class SessionInspectorTest {

    private static final String PRODUCT = DemoApplication.PRODUCT;

    @TempDir
    Path dir;

    private SimulatedFleet fleet;
    private SshTransport ssh;

    @BeforeEach
    void start() {
        fleet = new SimulatedFleet(dir);
        ssh = new SshTransport(SshSettings.defaults(), fleet.trust());
    }

    @AfterEach
    void stop() {
        ssh.close();
        fleet.close();
    }

    private SessionInspector inspector(Map<String, Object> profileProperties, int commandTimeoutSeconds) {
        return new SessionInspector(new SshOnlyRegistry(ssh),
                ConfiguredProductProfilesTest.profiles(profileProperties), new SemanticVersionsOnly(),
                ComponentConfig.of(SessionInspector.Config.class,
                        Map.of("commandTimeoutSeconds", commandTimeoutSeconds)));
    }

    private SessionInspector inspector() {
        return inspector(Map.of(), 30);
    }

    private SimulatedHost host(String version, Fault... faults) {
        return fleet.start("sim", List.of(new HostSpec(version, Set.of(faults)))).get(0);
    }

    @Test
    void aServerAt142IsReadAs142() {
        SimulatedHost host = host("1.4.2");
        Instant before = Instant.now();

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
        assertThat(inspection.detail()).isNull();
        assertThat(inspection.server()).isEqualTo(host.name());
        assertThat(inspection.product()).isEqualTo(PRODUCT);
        assertThat(inspection.at()).isBetween(before, Instant.now());
        assertThat(inspection.took()).isPositive();
    }

    @Test
    void aServerThatRefusesConnectionsIsUnreachableWithTheReason() {
        SimulatedHost host = host("1.4.2", Fault.REFUSE_CONNECTIONS);

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.UNREACHABLE);
        assertThat(inspection.version()).isNull();
        assertThat(inspection.detail()).isNotBlank();
        assertThat(inspection.at()).isNotNull();
        assertThat(inspection.took()).isNotNull();
    }

    @Test
    void aServerWhoseHostKeyIsUnknownIsUnreachableAndTheDetailShowsTheFingerprint() {
        SimulatedHost host = host("1.4.2");

        Inspection inspection = inspector().inspect(trusted(fleet.trust(), fleet.server(host), null), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.UNREACHABLE);
        assertThat(inspection.detail()).contains(fingerprint(host.hostKey()));
    }

    @Test
    void aVersionCommandThatPrintsNothingOnceIsAskedAgainAndItsAnswerCounts() throws IOException {
        SimulatedHost host = host("1.4.2");
        // The first answer is lost (empty); the second is the version: as output lost under load would look.
        SessionInspector inspector = inspector(Map.of("versionCommand",
                "if [ -e .asked ]; then cat current/VERSION; else : > .asked; fi"), 30);

        Inspection inspection = inspector.inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
        assertThat(host.root().resolve(PRODUCT).resolve(".asked")).exists();
    }

    @Test
    void aVersionCommandThatPrintsNothingTwiceIsUnparsable() throws IOException {
        SimulatedHost host = host("1.4.2");
        SessionInspector inspector = inspector(Map.of("versionCommand",
                "echo asked >> .asked; true"), 30);

        Inspection inspection = inspector.inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.UNPARSABLE);
        assertThat(inspection.detail()).isEqualTo("printed nothing, not a semantic version");
        assertThat(Files.readAllLines(host.root().resolve(PRODUCT).resolve(".asked"))).as("asked twice, no more")
                .containsExactly("asked", "asked");
    }

    @Test
    void aVersionFileHoldingGarbageIsUnparsable() throws IOException {
        SimulatedHost host = host("1.4.2");
        Path version = host.root().resolve(PRODUCT).resolve("current").resolve("VERSION");
        Files.delete(version);
        Files.writeString(version, "not-a-version\nsecond line\n");

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.UNPARSABLE);
        assertThat(inspection.version()).isNull();
        assertThat(inspection.detail()).isEqualTo("printed 'not-a-version', not a semantic version");
    }

    @Test
    void aServerWithoutTheProductsRootIsNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        PathUtils.deleteDirectory(host.root().resolve(PRODUCT));

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.NOT_INSTALLED);
        assertThat(inspection.version()).isNull();
        assertThat(inspection.detail()).isEqualTo("no $HOME/" + PRODUCT + "/current");
    }

    @Test
    void anEmptyRootIsNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        PathUtils.deleteDirectory(host.root().resolve(PRODUCT));
        Files.createDirectory(host.root().resolve(PRODUCT));

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.NOT_INSTALLED);
    }

    @Test
    void aRootWithReleasesButNoCurrentIsNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        Files.delete(host.root().resolve(PRODUCT).resolve("current"));

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.NOT_INSTALLED);
    }

    @Test
    void aCurrentPointingNowhereIsFailedNotNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        Path current = host.root().resolve(PRODUCT).resolve("current");
        Files.delete(current);
        Files.createSymbolicLink(current, Path.of("releases", "9.9.9"));

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.FAILED);
        assertThat(inspection.detail()).contains("exit code").contains("VERSION");
    }

    @Test
    void aCurrentWithoutItsVersionFileIsFailedNotNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        Files.delete(host.root().resolve(PRODUCT).resolve("current").resolve("VERSION"));

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.FAILED);
        assertThat(inspection.detail()).contains("exit code").contains("VERSION");
    }

    @Test
    void aRootThatIsNoDirectoryIsFailedNotNotInstalled() throws IOException {
        SimulatedHost host = host("1.4.2");
        PathUtils.deleteDirectory(host.root().resolve(PRODUCT));
        Files.writeString(host.root().resolve(PRODUCT), "a file where the application should be\n");

        Inspection inspection = inspector().inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.FAILED);
        assertThat(inspection.detail()).contains("exit code").contains(PRODUCT);
    }

    @Test
    void aVersionCommandThatWorksWithoutCurrentIsRead() throws IOException {
        SimulatedHost host = host("1.4.2");
        Files.delete(host.root().resolve(PRODUCT).resolve("current"));
        SessionInspector inspector = inspector(Map.of("versionCommand", "cat releases/1.4.2/VERSION"), 30);

        Inspection inspection = inspector.inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
    }

    @Test
    void aVersionCommandThatOutlivesItsTimeoutIsFailed() {
        SimulatedHost host = host("1.4.2");
        SessionInspector inspector = inspector(Map.of("versionCommand", "sleep 20"), 1);

        Inspection inspection = inspector.inspect(fleet.server(host), PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.FAILED);
        assertThat(inspection.detail()).isNotBlank();
        assertThat(inspection.took()).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aProfileRootNamesServerAttributesAndTheShellStillExpandsHome() throws IOException {
        SimulatedHost host = host("1.4.2");
        Files.createDirectories(host.root().resolve("apps"));
        Files.move(host.root().resolve(PRODUCT), host.root().resolve("apps").resolve(PRODUCT));
        Server server = withAttribute(fleet.server(host), "area", "apps");

        Inspection inspection = inspector(Map.of("root", "$HOME/${area}/{product}"), 30).inspect(server, PRODUCT);

        assertThat(inspection.status()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
    }

    @Test
    void aProfileOverrideAppliesToItsProductOnly() throws IOException {
        SimulatedHost host = host("1.4.2");
        Files.createDirectories(host.root().resolve("other"));
        Files.writeString(host.root().resolve("other").resolve("version.txt"), "3.1.4\n");
        SessionInspector inspector = inspector(Map.of("other-app.root", "$HOME/other",
                "other-app.versionCommand", "cat version.txt"), 30);

        Inspection other = inspector.inspect(fleet.server(host), "other-app");
        Inspection demo = inspector.inspect(fleet.server(host), PRODUCT);

        assertThat(other.version()).isEqualTo("3.1.4");
        assertThat(demo.version()).isEqualTo("1.4.2");
    }

    @Test
    void anAttributeInTheRootIsPartOfOneLiteralPathAndRunsNothing() throws IOException {
        SimulatedHost host = host("1.4.2");
        String area = "x\" && touch pwned && \"$(touch pwned) it's";
        Files.createDirectories(host.root().resolve(area));
        Files.move(host.root().resolve(PRODUCT), host.root().resolve(area).resolve(PRODUCT));
        Server server = withAttribute(fleet.server(host), "area", area);

        Inspection inspection = inspector(Map.of("root", "$HOME/${area}/{product}"), 30).inspect(server, PRODUCT);

        assertThat(inspection.status()).as(inspection.detail()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
        assertThat(host.root().resolve("pwned")).doesNotExist();
        assertThat(host.root().resolve(area).resolve(PRODUCT).resolve("pwned")).doesNotExist();
    }

    @Test
    void anAttributeInTheVersionCommandIsOneWordAndRunsNothing() throws IOException {
        SimulatedHost host = host("1.4.2");
        Server server = withAttribute(withAttribute(fleet.server(host), "tag", "eu1;touch pwned;#"), "beta",
                "1.0 beta $(touch pwned)");
        SessionInspector inspector = inspector(Map.of("versionCommand",
                "printf '%s\\n' ${tag} \"${beta}\" > words.txt; cat current/VERSION"), 30);

        Inspection inspection = inspector.inspect(server, PRODUCT);

        Path app = host.root().resolve(PRODUCT);
        assertThat(inspection.status()).as(inspection.detail()).isEqualTo(Status.OK);
        assertThat(inspection.version()).isEqualTo("1.4.2");
        assertThat(app.resolve("words.txt")).hasContent("eu1;touch pwned;#\n1.0 beta $(touch pwned)\n");
        assertThat(app.resolve("pwned")).doesNotExist();
    }

    @Test
    void aProductThatIsNotAProductNameIsRefusedBeforeAnythingRuns() {
        SimulatedHost host = host("1.4.2");

        assertThatThrownBy(() -> inspector().inspect(fleet.server(host), "$(touch pwned)"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("'$(touch pwned)' is not a product name");
        try (Session session = ssh.connect(fleet.server(host))) {
            assertThatThrownBy(() -> inspector().inspect(session, fleet.server(host), "x;touch pwned"))
                    .isInstanceOf(FleetupException.class);
        }
        assertThat(host.root().resolve("pwned")).doesNotExist();
    }

    @Test
    void anOpenSessionIsReadOverAndLeftOpen() {
        SimulatedHost host = host("1.9.7");
        Server server = fleet.server(host);

        try (Session session = ssh.connect(server)) {
            Inspection inspection = inspector().inspect(session, server, PRODUCT);

            assertThat(inspection.version()).isEqualTo("1.9.7");
            assertThat(session.isOpen()).isTrue();
        }
    }

    @Test
    void aServerWhoseAddressNoTransportServesIsAnErrorNotAResult() {
        Server server = new Server("web-01", null, URI.create("http://127.0.0.1:8080"), LoginSettings.of("deploy",
                null), null);

        assertThatThrownBy(() -> inspector().inspect(server, PRODUCT))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.TRANSPORT_MISSING));
    }

    @Test
    void theRootIsWrittenAsTheInstallWritesIt() {
        assertThat(SessionInspector.versionCommand(new org.fleetup.api.release.ProductProfile("a", "~/my apps/a",
                "cat current/VERSION", "true", "semantic")))
                .isEqualTo("cd \"$HOME\"/'my apps/a' && cat current/VERSION");
    }

    private static Server withAttribute(Server server, String name, String value) {
        Map<String, String> attributes = new HashMap<>(server.attributes());
        attributes.put(name, value);
        return new Server(server.name(), server.cluster(), server.address(), server.settings(),
                attributes);
    }

    /** The OpenSSH SHA-256 fingerprint of a public key in OpenSSH form ({@code type base64 [comment]}). */
    private static String fingerprint(String openSshKey) {
        try {
            byte[] blob = Base64.getDecoder().decode(openSshKey.split(" ")[1]);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
