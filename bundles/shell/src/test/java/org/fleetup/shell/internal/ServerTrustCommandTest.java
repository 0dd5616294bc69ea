package org.fleetup.shell.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

/** What fleet:server-trust records is the trust of the server's transport, apart from its record. */
class ServerTrustCommandTest {

    private static final String FINGERPRINT = "SHA256:" + "A".repeat(43);

    private final Server sftpServer = new Server("files-01", null, URI.create("sftp://10.0.0.2:22"),
            LoginSettings.of("files", "/keys/files"), Map.of());
    private final ServerTrust trust = ServerTrust.inMemory();
    private final List<String> audit = new ArrayList<>();

    @Test
    void theFingerprintIsTrustedForTheSchemeOfTheServersAddressAndAudited() throws Exception {
        command("files-01", FINGERPRINT).execute();

        assertThat(trust.trusted(sftpServer)).contains(FINGERPRINT);
        assertThat(trust.trusted(new Server("files-01", null, URI.create("https://10.0.0.2:8650"), Map.of(),
                Map.of()))).as("not for another transport").isEmpty();
        assertThat(audit).containsExactly("server-trust files-01 " + FINGERPRINT);
    }

    @Test
    void aNewKeyReplacesTheOneTrustedBeforeAndSaysSo() throws Exception {
        trust.trust(sftpServer, "SHA256:" + "B".repeat(43));

        command("files-01", FINGERPRINT).execute();

        assertThat(trust.trusted(sftpServer)).contains(FINGERPRINT);
        assertThat(audit).containsExactly("server-trust files-01 " + FINGERPRINT + ", replacing SHA256:"
                + "B".repeat(43));
    }

    private ServerTrustCommand command(String server, String key) throws Exception {
        ServerTrustCommand command = new ServerTrustCommand();
        set(command, "inventory", inventory());
        set(command, "trust", trust);
        set(command, "name", server);
        set(command, "key", List.of(key));
        return command;
    }

    /** An inventory of the one SFTP server, which keeps what is audited. */
    private Inventory inventory() {
        return (Inventory) Proxy.newProxyInstance(Inventory.class.getClassLoader(), new Class<?>[] {Inventory.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "server" -> Optional.of(sftpServer).filter(s -> s.name().equals(args[0]));
                    case "requireServer" -> sftpServer;
                    case "audit" -> {
                        audit.add(args[1] + " " + args[2]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** What Karaf's shell injects into a command's fields. */
    private static void set(Object target, String field, Object value) throws ReflectiveOperationException {
        Field declared = target.getClass().getDeclaredField(field);
        declared.setAccessible(true);
        declared.set(target, value);
    }
}
