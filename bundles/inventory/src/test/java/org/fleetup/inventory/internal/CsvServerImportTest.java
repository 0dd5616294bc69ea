package org.fleetup.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

/** The import as the shell and the REST API run it, into a real H2 inventory. */
class CsvServerImportTest extends InventoryFixture {

    private ServerImport.Imported importCsv(String csv) {
        return new CsvServerImport(inventory, TestTransports.all()).importCsv(
                new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), ServerImport.HostKeys.NONE, "tester",
                () -> "from the test");
    }

    /** An operator's CSV of before the settings imports as before, its login kept as the settings of each server. */
    @Test
    void anOperatorsCsvImportsItsLoginAsSettings() {
        importCsv("name,host,port,user,keyfile,site\nweb-01,10.0.0.1,22,deploy,/keys/id,paris\n");

        Server stored = inventory.requireServer("web-01");
        assertThat(stored.settings()).containsExactlyInAnyOrderEntriesOf(
                Map.of(LoginSettings.USER, "deploy", LoginSettings.KEY_FILE, "/keys/id"));
        assertThat(stored.attributes()).containsExactlyEntriesOf(Map.of("site", "paris"));
    }

    @Test
    void aKeyFileOnAnHttpServerImportsNothing() {
        assertThatThrownBy(() -> importCsv("name,address,user,keyfile\n"
                + "web-01,ssh://10.0.0.1,deploy,/keys/id\n"
                + "agent-01,http://10.0.0.3:8181,,/keys/id\n"))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("agent-01").hasMessageContaining("'keyfile'");

        assertThat(inventory.servers(null)).isEmpty();
    }

    /** A setting the inventory has no place for would be lost; it is refused rather than dropped. */
    @Test
    void aSettingTheInventoryCannotKeepIsRefused() {
        assertThatThrownBy(() -> importCsv("name,address,pin\nagent-01,https://10.0.0.3,SHA256:abc\n"))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("agent-01").hasMessageContaining("'pin'")
                .hasMessageContaining("cannot keep");

        assertThat(inventory.servers(null)).isEmpty();
    }
}
