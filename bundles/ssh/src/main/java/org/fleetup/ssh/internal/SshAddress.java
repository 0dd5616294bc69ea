package org.fleetup.ssh.internal;

import java.net.URI;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;

/**
 * Where and as whom to log in, read from a server record: {@code ssh://host:port}, port 22 when none is given, the
 * record's user or else the address's user info.
 */
public record SshAddress(String host, int port, String user) {

    public static final int DEFAULT_PORT = 22;

    public static SshAddress of(Server server) {
        URI address = server.address();
        String host = address.getHost();
        if (host == null || host.isBlank()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The address of server " + server.name()
                    + " names no host: write it as ssh://host:port, e.g. ssh://10.0.0.7:22");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // an IPv6 literal, bracketed only inside URIs
        }
        int port = address.getPort() < 0 ? DEFAULT_PORT : address.getPort();
        String user = LoginSettings.user(server);
        if (user == null || user.isBlank()) {
            String userInfo = address.getUserInfo();
            // Anything after ':' would be a password, which this transport never uses nor repeats.
            user = userInfo == null ? null : userInfo.split(":", 2)[0];
        }
        if (user == null || user.isBlank()) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "Server " + server.name()
                    + " has no login user: give it one in the inventory, or in its address as ssh://user@host:port");
        }
        return new SshAddress(host, port, user);
    }

    /** {@code host:port}, as messages show it. */
    public String hostAndPort() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
