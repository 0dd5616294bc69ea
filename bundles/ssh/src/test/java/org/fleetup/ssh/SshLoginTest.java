package org.fleetup.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.simulator.HostSpec;
import org.fleetup.api.simulator.SimulatedHost;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.simulator.SimulatedFleet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the SSH transport refuses of a server before it is imported, judged on real files. */
class SshLoginTest {

    @TempDir
    Path dir;

    private SshTransport transport;
    private Path key;

    @BeforeEach
    void start() throws Exception {
        transport = new SshTransport(SshSettings.defaults(), ServerTrust.inMemory());
        key = Files.writeString(dir.resolve("id_ed25519"), "not read before connecting");
    }

    @AfterEach
    void stop() {
        transport.close();
    }

    private static Server server(String address, Map<String, String> settings) {
        return new Server("web-01", null, URI.create(address), settings, null);
    }

    @Test
    void aLoginWithAnExistingKeyFileIsTaken() {
        assertThat(transport.settings()).containsExactlyInAnyOrder(LoginSettings.USER, LoginSettings.KEY_FILE);
        assertThatCode(() -> transport.validate(server("ssh://127.0.0.1:22",
                LoginSettings.of("deploy", key.toString())))).doesNotThrowAnyException();
        assertThatCode(() -> transport.validate(server("ssh://deploy@127.0.0.1:22",
                LoginSettings.of(null, key.toString())))).as("the user in the address").doesNotThrowAnyException();
    }

    @Test
    void aKeyFileThatDoesNotExistIsRefusedNamingTheServerAndTheColumn() {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> transport.validate(server("ssh://127.0.0.1:22",
                LoginSettings.of("deploy", missing.toString()))))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("web-01").hasMessageContaining("'keyfile' " + missing)
                .hasMessageContaining("not a file on the controller");
        assertThatThrownBy(() -> transport.validate(server("ssh://127.0.0.1:22", LoginSettings.of("deploy",
                dir.toString())))).as("a directory").hasMessageContaining("not a file on the controller");
    }

    @Test
    void aMissingUserOrKeyFileIsRefused() {
        assertThatThrownBy(() -> transport.validate(server("ssh://127.0.0.1:22", LoginSettings.of(null,
                key.toString())))).isInstanceOf(FleetupException.class).hasMessageContaining("has no 'user'");
        assertThatThrownBy(() -> transport.validate(server("ssh://127.0.0.1:22", LoginSettings.of("deploy", null))))
                .isInstanceOf(FleetupException.class).hasMessageContaining("has no 'keyfile'");
    }

    @Test
    void aSettingItDoesNotTakeIsRefused() {
        Map<String, String> settings = new HashMap<>(LoginSettings.of("deploy", key.toString()));
        settings.put("pin", "SHA256:abc");
        assertThatThrownBy(() -> transport.validate(server("ssh://127.0.0.1:22", settings)))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("'pin'").hasMessageContaining("ssh transport does not take");
    }

    /** The simulator's records are what the import would accept. */
    @Test
    void theSimulatorsRecordsAreValid(@TempDir Path fleetDir) throws Exception {
        try (SimulatedFleet fleet = new SimulatedFleet(fleetDir)) {
            SimulatedHost host = fleet.start("valid", List.of(new HostSpec("1.0.0", Set.of()))).get(0);
            assertThatCode(() -> transport.validate(fleet.server(host))).doesNotThrowAnyException();
        }
    }
}
