package org.fleetup.api.pull;

import java.util.Optional;

/**
 * How a pull agent is named where servers are: in plans, rollouts, reports and completion notices it is
 * {@code pull:<MAC>} ({@code pull:02-00-00-00-00-01}), so that it reads as what it is, a server that comes to the patch
 * server on its own schedule, and is never taken for one the controller logs in to.
 */
public final class PullAgents {

    /** What the name of every pull agent starts with. */
    public static final String PREFIX = "pull:";

    private PullAgents() {
    }

    /** The name of the agent {@code mac} (as the registry keeps it) among servers. */
    public static String server(String mac) {
        return PREFIX + mac;
    }

    /** Whether {@code server} names a pull agent. */
    public static boolean isPull(String server) {
        return server != null && server.startsWith(PREFIX);
    }

    /** The MAC of the agent {@code server} names, or empty when it names no pull agent. */
    public static Optional<String> mac(String server) {
        return isPull(server) ? Optional.of(server.substring(PREFIX.length())) : Optional.empty();
    }
}
