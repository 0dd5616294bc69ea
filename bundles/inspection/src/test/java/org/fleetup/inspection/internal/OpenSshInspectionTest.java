package org.fleetup.inspection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspection.Status;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.fleetup.testing.OpenSshServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server attributes from a server list, reaching real OpenSSH servers (with GNU tools, and with BusyBox's only) through
 * a product profile: each arrives as one word, as it is, and nothing in it runs.
 */
class OpenSshInspectionTest {

    private final ServerTrust trust = ServerTrust.inMemory();

    private static final String SITE = "eu 1;touch pwned;#";

    @TempDir
    Path temp;

    @ParameterizedTest(name = "BusyBox only: {0}")
    @ValueSource(booleans = {false, true})
    void attributesInTheRootAndTheVersionCommandAreOneWordEachAndRunNothing(boolean busyBoxOnly) throws IOException {
        OpenSshServer.Options options = new OpenSshServer.Options().name(busyBoxOnly ? "busybox" : "gnu");
        if (busyBoxOnly) {
            options.busyBoxOnly();
        }
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd or BusyBox is not installed");
        try (OpenSshServer sshd = OpenSshServer.start(temp.resolve("sshd"), options);
             SshTransport ssh = new SshTransport(SshSettings.defaults(), trust)) {
            DemoApplication.install(sshd.root().resolve(SITE), "1.4.2");
            Server server = trusted(trust, new Server(sshd.name(), null, URI.create("ssh://127.0.0.1:" + sshd.port()),
                    LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of("site", SITE, "tag",
                    "eu1;touch pwned;#",
                            "beta", "1.0 beta", "quote", "$(touch pwned) `touch pwned` it's \"x\"")), sshd.hostKey());
            SessionInspector inspector = new SessionInspector(new SshOnlyRegistry(ssh),
                    ConfiguredProductProfilesTest.profiles(Map.of("root", "~/${site}/{product}", "versionCommand",
                            "printf '%s\\n' ${tag} \"${beta}\" '${quote}' > words.txt; cat current/VERSION")),
                    new SemanticVersionsOnly(), ComponentConfig.of(SessionInspector.Config.class, Map.of()));

            Inspection inspection = inspector.inspect(server, DemoApplication.PRODUCT);

            assertThat(inspection.status()).as(inspection.detail()).isEqualTo(Status.OK);
            assertThat(inspection.version()).isEqualTo("1.4.2");
            assertThat(sshd.root().resolve(SITE).resolve(DemoApplication.PRODUCT).resolve("words.txt"))
                    .hasContent("eu1;touch pwned;#\n1.0 beta\n$(touch pwned) `touch pwned` it's \"x\"\n");
            try (Stream<Path> files = Files.walk(sshd.root())) {
                assertThat(files.map(p -> p.getFileName().toString())).doesNotContain("pwned");
            }
        }
    }
}
