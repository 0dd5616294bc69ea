package org.fleetup.api.inventory;

import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A server of the fleet. What an operator trusts it to present (its host key) is not part of its record: see
 * {@link ServerTrust}.
 *
 * @param name unique name, as the operator calls it
 * @param cluster the cluster it belongs to ({@code default} when none was given)
 * @param address where it is reached; the scheme chooses the transport ({@code ssh://127.0.0.1:2201})
 * @param settings how its transport reaches it (an SSH login: {@code user}, {@code keyfile}), opaque to the core:
 *        only the transport of its address reads them, and says which it takes ({@code Transport#settings()})
 * @param attributes extra attributes (every extra CSV column), usable as {@code ${name}} in product profiles
 */
public record Server(String name, String cluster, URI address, Map<String, String> settings,
                     Map<String, String> attributes) {

    public static final String DEFAULT_CLUSTER = "default";

    public Server {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        cluster = cluster == null || cluster.isBlank() ? DEFAULT_CLUSTER : cluster;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        // a setting left empty is no setting: a CSV cell that was blank, a login that was not given
        settings = settings == null ? Map.of() : settings.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().isEmpty())
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The setting {@code name}, or {@code null} when it has none. */
    public String setting(String name) {
        return settings.get(name);
    }
}
