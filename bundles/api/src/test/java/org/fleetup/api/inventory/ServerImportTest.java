package org.fleetup.api.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

class ServerImportTest {

    @Test
    void everyServerWithAKeyToTrustIsToldButAPlainHttpAgentWhichHasNone() {
        ServerImport.Imported imported = new ServerImport.Imported(List.of(
                server("ssh-01", "ssh://10.0.0.1:22"),
                server("ssh-02", "ssh://10.0.0.2:22"),
                server("sftp-01", "sftp://10.0.0.3:22"),
                server("tls-01", "https://10.0.0.4:8650"),
                server("tls-02", "https://10.0.0.5:8650"),
                server("agent-01", "http://10.0.0.6:8650")),
                Map.of("ssh-02", "ssh-ed25519 AAAA", "tls-02", "SHA256:abc"));

        assertThat(imported.withoutHostKey()).containsExactly("ssh-01", "sftp-01", "tls-01");
    }

    private static Server server(String name, String address) {
        return new Server(name, null, URI.create(address), LoginSettings.of("fleet", "/keys/fleet"), Map.of());
    }
}
