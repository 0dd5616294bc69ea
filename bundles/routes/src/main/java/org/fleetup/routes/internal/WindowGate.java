package org.fleetup.routes.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;

/**
 * Tells the engine whether a server's maintenance window lets it start now, on the operator's clock (the one tests
 * move). A server in flight is never asked about: it finishes whatever the window.
 */
final class WindowGate {

    /** Every server may start at any time. */
    static final WindowGate ALWAYS_OPEN = new WindowGate(() -> MaintenanceWindows.ALWAYS_OPEN, null,
            Clock.systemUTC());

    private final Supplier<MaintenanceWindows> windows;
    private final Inventory inventory;
    private final Clock clock;

    WindowGate(Supplier<MaintenanceWindows> windows, Inventory inventory, Clock clock) {
        this.windows = windows;
        this.inventory = inventory;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    /** The windows as they are at this moment, for one tick: the clusters of the servers are read once, if needed. */
    Look look() {
        return new Look(windows.get(), clock.instant());
    }

    final class Look {

        private final MaintenanceWindows current;
        private final Instant at;
        private Map<String, String> clusters;

        private Look(MaintenanceWindows current, Instant at) {
            this.current = current;
            this.at = at;
        }

        /** Whether every server may start now, whatever its cluster: no window is configured. */
        boolean alwaysOpen() {
            return current.alwaysOpen();
        }

        /** Why {@code server} may not start now, and when it may; empty when it may. */
        Optional<MaintenanceWindows.Closed> closed(String server) {
            if (current.alwaysOpen()) {
                return Optional.empty();
            }
            if (clusters == null) {
                clusters = new HashMap<>();
                inventory.servers(null).forEach(known -> clusters.put(known.name(), known.cluster()));
            }
            // A server removed from the fleet since the rollout was made is under the default window.
            return current.closed(clusters.getOrDefault(server, Server.DEFAULT_CLUSTER), at);
        }
    }
}
