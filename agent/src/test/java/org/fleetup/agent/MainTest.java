package org.fleetup.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.fleetup.agent.protocol.TlsIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The push command's options as the agent reads them, before it listens. */
class MainTest {

    @TempDir
    Path dir;

    private Map<String, String> options() {
        return new HashMap<>(Map.of("listen", "127.0.0.1:0", "root", dir.toString(),
                "trust", dir.resolve("trust").toString(), "id", "srv-1", "product", "demo-app"));
    }

    @Test
    void withoutAKeystoreItServesPlainHttp() throws Exception {
        assertThat(Main.pushOptions(options()).tls()).isNull();
    }

    @Test
    void aPasswordFileWithoutItsKeystoreIsRefusedRatherThanServingPlainHttp() throws Exception {
        Map<String, String> options = options();
        Files.writeString(dir.resolve("password"), "secret\n");
        options.put("tls-password-file", dir.resolve("password").toString());

        assertThatThrownBy(() -> Main.pushOptions(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--tls-keystore, which is missing");
    }

    @Test
    void aKeystoreWithTheWrongPasswordStopsTheAgentBeforeItListens() throws Exception {
        Path password = dir.resolve("password");
        TlsIdentity.generate(dir.resolve("agent.p12"), "the-right-one".toCharArray(), List.of("127.0.0.1"), 1);
        Files.writeString(password, "the-wrong-one\n");
        Map<String, String> options = options();
        options.put("tls-keystore", dir.resolve("agent.p12").toString());
        options.put("tls-password-file", password.toString());

        assertThatThrownBy(() -> Main.pushOptions(options)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("check the file and its password");
    }
}
