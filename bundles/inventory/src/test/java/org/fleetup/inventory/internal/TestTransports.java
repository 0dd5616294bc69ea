package org.fleetup.inventory.internal;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;

/**
 * Transports as the import sees them, without the SSH library this module may not depend on: {@code ssh} and
 * {@code sftp} take a login and refuse a server without a user, as the SSH transports do ({@code SshLogin}, tested
 * there); {@code http} takes nothing, as the agent transport; {@code https} takes a {@code pin}, so that a column
 * only another transport names can be put where it does not belong.
 */
final class TestTransports implements TransportRegistry {

    static final String PIN = "pin";

    private final Map<String, Transport> bySchemes;

    private TestTransports(Map<String, Transport> bySchemes) {
        this.bySchemes = bySchemes;
    }

    /** ssh, sftp, http and https. */
    static TestTransports all() {
        Transport login = new Stub(LoginSettings.NAMES) {
            @Override
            public void validate(Server server) {
                super.validate(server);
                if (LoginSettings.user(server) == null) {
                    throw new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name()
                            + "' has no 'user'");
                }
            }
        };
        return new TestTransports(Map.of("ssh", login, "sftp", login, "http", new Stub(Set.of()),
                "https", new Stub(Set.of(PIN))));
    }

    /** Only {@code schemes} of {@link #all()}. */
    static TestTransports only(String... schemes) {
        Map<String, Transport> all = all().bySchemes;
        return new TestTransports(Map.copyOf(Arrays.stream(schemes)
                .collect(Collectors.toMap(s -> s, all::get))));
    }

    /** These and a transport for {@code scheme} that takes no settings, as one deployed later would. */
    TestTransports plus(String scheme) {
        Map<String, Transport> more = new java.util.HashMap<>(bySchemes);
        more.put(scheme, new Stub(Set.of()));
        return new TestTransports(Map.copyOf(more));
    }

    @Override
    public Transport transportFor(URI address) {
        Transport transport = bySchemes.get(address.getScheme());
        if (transport == null) {
            throw new FleetupException(FleetupException.TRANSPORT_MISSING, "No transport for scheme "
                    + address.getScheme() + ": feature:install fleetup-transport-" + address.getScheme());
        }
        return transport;
    }

    @Override
    public Map<String, String> schemes() {
        return bySchemes.keySet().stream().collect(Collectors.toMap(s -> s, s -> "test-" + s));
    }

    private static class Stub implements Transport {

        private final Set<String> settings;

        Stub(Set<String> settings) {
            this.settings = settings;
        }

        @Override
        public Session connect(Server server) {
            throw new UnsupportedOperationException("the import never connects");
        }

        @Override
        public Set<String> settings() {
            return settings;
        }
    }
}
