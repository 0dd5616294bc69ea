package org.fleetup.api.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ServerImportTest {

    @Test
    void everyServerWithAKeyToTrustIsToldButAPlainHttpAgentWhichHasNone() {
        ServerImport.Imported imported = new ServerImport.Imported(List.of(
                server("ssh-01", "ssh://10.0.0.1:22", null),
                server("ssh-02", "ssh://10.0.0.2:22", "ssh-ed25519 AAAA"),
                server("sftp-01", "sftp://10.0.0.3:22", null),
                server("tls-01", "https://10.0.0.4:8650", null),
                server("tls-02", "https://10.0.0.5:8650", "SHA256:abc"),
                server("agent-01", "http://10.0.0.6:8650", null)));

        assertThat(imported.withoutHostKey()).containsExactly("ssh-01", "sftp-01", "tls-01");
    }

    private static Server server(String name, String address, String key) {
        return new Server(name, null, URI.create(address), "fleet", "/keys/fleet", key, Map.of());
    }
}
