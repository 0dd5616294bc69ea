package org.fleetup.api.inventory;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.FleetupException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What an operator trusts a server to present, kept apart from the server's record because only the server's
 * transport knows what it means: an SSH or SFTP server's host key in OpenSSH form ({@code ecdsa-sha2-nistp256
 * AAAA...}) or its fingerprint ({@code SHA256:...}), an {@code https://} agent's certificate fingerprint. A trust is
 * recorded for the URI scheme of the server's address at that moment and holds for that scheme only: a server moved
 * to another transport is trusted anew. A server with no trust for its scheme is never connected to.
 */
@ProviderType
public interface ServerTrust {

    /** What is trusted for {@code server} over the scheme of its address, empty when nothing is. */
    Optional<String> trusted(Server server);

    /**
     * Trusts {@code value} for {@code server} over the scheme of its address, replacing what was trusted before.
     *
     * @throws FleetupException {@link FleetupException#SERVER_NOT_FOUND} when the inventory has no such server
     */
    void trust(Server server, String value);

    /** @return whether anything was trusted for the server */
    boolean forget(String server);

    /** The lower-case scheme of a server's address, the transport a trust is for. */
    static String scheme(URI address) {
        String scheme = address.getScheme();
        return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    }

    /**
     * A trust kept in memory only, for a transport used without the inventory (a tool, a test): it forgets
     * everything when dropped.
     */
    static ServerTrust inMemory() {
        return new ServerTrust() {

            private final Map<String, Map.Entry<String, String>> values = new ConcurrentHashMap<>();

            @Override
            public Optional<String> trusted(Server server) {
                Map.Entry<String, String> value = values.get(server.name());
                return value == null || !value.getKey().equals(scheme(server.address())) ? Optional.empty()
                        : Optional.of(value.getValue());
            }

            @Override
            public void trust(Server server, String value) {
                values.put(server.name(), Map.entry(scheme(server.address()), Objects.requireNonNull(value, "value")));
            }

            @Override
            public boolean forget(String server) {
                return values.remove(server) != null;
            }
        };
    }
}
