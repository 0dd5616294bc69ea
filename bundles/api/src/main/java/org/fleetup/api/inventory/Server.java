package org.fleetup.api.inventory;

import java.net.URI;
import java.util.Map;
import java.util.Objects;

/**
 * A server of the fleet. What an operator trusts it to present (its host key) is not part of its record: see
 * {@link ServerTrust}.
 *
 * @param name unique name, as the operator calls it
 * @param cluster the cluster it belongs to ({@code default} when none was given)
 * @param address where it is reached; the scheme chooses the transport ({@code ssh://127.0.0.1:2201})
 * @param user the login user
 * @param keyFile the private key that authenticates as {@code user}, a path on the controller
 * @param attributes extra attributes (every extra CSV column), usable as {@code ${name}} in product profiles
 */
public record Server(String name, String cluster, URI address, String user, String keyFile,
                     Map<String, String> attributes) {

    public static final String DEFAULT_CLUSTER = "default";

    public Server {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        cluster = cluster == null || cluster.isBlank() ? DEFAULT_CLUSTER : cluster;
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
