package org.fleetup.transport.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.fleetup.comparison.internal.VersionPlanner;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's SFTP-only host ({@code fleet:sim-start --sftp-only N}): recorded as {@code sftp://}, refusing every
 * command, and upgraded by the SFTP transport like a real OpenSSH sftp-only server.
 */
class SimulatedSftpOnlyHostTest {

    private static final ProductProfile PROFILE = new ProductProfile(DemoApplication.PRODUCT, "$HOME/demo-app",
            "cat current/VERSION", "current/bin/demo-app --version", "semantic");

    @TempDir
    Path temp;

    private SimulatedFleet fleet;
    private SftpTransport transport;
    private SimulatedHost host;
    private Server server;

    @BeforeEach
    void start() {
        fleet = new SimulatedFleet(temp.resolve("fleet"));
        host = fleet.start("files", List.of(new HostSpec("1.4.2", Set.of(Fault.SFTP_ONLY)))).get(0);
        server = fleet.server(host);
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        fleet.close();
    }

    @Test
    void itIsRecordedAsSftpAndRefusesEveryCommand() {
        assertThat(server.address()).isEqualTo(URI.create("sftp://127.0.0.1:" + host.port()));
        Server overSsh = new Server(server.name(), server.cluster(), URI.create("ssh://127.0.0.1:" + host.port()),
                server.settings(), server.attributes());
        try (SshTransport ssh = new SshTransport(SshSettings.defaults(), fleet.trust());
             Session session = ssh.connect(overSsh)) {
            assertThatThrownBy(() -> session.execute("touch made-by-a-shell", Duration.ofSeconds(5)))
                    .isInstanceOf(FleetupException.class);
        }
        assertThat(host.root().resolve("made-by-a-shell")).doesNotExist();
    }

    @Test
    void theSftpTransportUpgradesIt() throws IOException {
        SftpOnlyServers.FileStore store = new SftpOnlyServers.FileStore();
        SftpOnlyServers.FixedProfiles profiles = new SftpOnlyServers.FixedProfiles(PROFILE);
        transport = new SftpTransport(SshSettings.defaults(), fleet.trust(), profiles,
                new VersionPlanner(new DefaultVersionSchemes(), profiles), store, Duration.ofSeconds(30),
                Duration.ofMillis(200));
        Release release = store.add(DemoApplication.PRODUCT, "2.0.0", Release.DEFAULT_KIND,
                DemoApplication.writeRelease("2.0.0", temp.resolve("demo-app-2.0.0.tar.gz")));

        ServerOutcome outcome;
        try (Procedure procedure = transport.begin("rollout-1", server, release, false, null, Journal.inMemory())) {
            outcome = procedure.runToEnd();
        }

        assertThat(outcome.state()).as(outcome.detail()).isEqualTo(StepState.DONE);
        assertThat(outcome.from()).isEqualTo("1.4.2");
        Path app = host.root().resolve(DemoApplication.PRODUCT);
        assertThat(Files.readSymbolicLink(app.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
        assertThat(app.resolve("current/VERSION")).hasContent("2.0.0");
        assertThat(app.resolve("releases/2.0.0/bin/demo-app")).isExecutable();
    }
}
