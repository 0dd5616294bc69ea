package org.fleetup.routes.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ClusterWindow;

/**
 * The maintenance windows of the clusters: one per cluster that has its own, the default window for the others; no
 * window is always open. Read from {@code etc/org.fleetup.windows.cfg}: {@code defaultWindow} and one
 * {@code cluster.<name>} per cluster, each a {@link MaintenanceWindow} or {@code always}.
 */
final class MaintenanceWindows {

    static final String DEFAULT_KEY = "defaultWindow";
    static final String CLUSTER_PREFIX = "cluster.";
    static final String ALWAYS = "always";

    /** Every cluster, every time. */
    static final MaintenanceWindows ALWAYS_OPEN = new MaintenanceWindows(Optional.empty(), Map.of(), null);

    private final Optional<MaintenanceWindow> fallback;
    /** An empty value: always open, whatever the default. */
    private final Map<String, Optional<MaintenanceWindow>> clusters;
    /** Why the configuration could not be read, {@code null} when it could. */
    private final String broken;

    private MaintenanceWindows(Optional<MaintenanceWindow> fallback, Map<String, Optional<MaintenanceWindow>> clusters,
                               String broken) {
        this.fallback = fallback;
        this.clusters = Map.copyOf(clusters);
        this.broken = broken;
    }

    /**
     * Reads the windows from a configuration, all or nothing.
     *
     * @throws FleetupException {@link FleetupException#TIME_INVALID} naming the first key that cannot be read
     */
    static MaintenanceWindows of(Map<String, ?> config) {
        Optional<MaintenanceWindow> fallback = window(DEFAULT_KEY, config.get(DEFAULT_KEY));
        Map<String, Optional<MaintenanceWindow>> clusters = new TreeMap<>();
        for (Map.Entry<String, ?> entry : new TreeMap<>(config).entrySet()) {
            if (entry.getKey().startsWith(CLUSTER_PREFIX)) {
                String cluster = entry.getKey().substring(CLUSTER_PREFIX.length());
                if (cluster.isBlank()) {
                    throw new FleetupException(FleetupException.TIME_INVALID, "Maintenance window "
                            + entry.getKey() + " names no cluster: write cluster.<name> = " + MaintenanceWindow.SYNTAX
                            + ".");
                }
                clusters.put(cluster, window(entry.getKey(), entry.getValue()));
            }
        }
        return new MaintenanceWindows(fallback, clusters, null);
    }

    /**
     * Windows that could not be read: no server is started anywhere until they are fixed, since the operator meant
     * some of them to be closed and which ones cannot be told.
     */
    static MaintenanceWindows broken(String why) {
        return new MaintenanceWindows(Optional.empty(), Map.of(), why);
    }

    private static Optional<MaintenanceWindow> window(String key, Object value) {
        String text = value == null ? "" : value.toString().trim();
        if (text.isEmpty() || text.equalsIgnoreCase(ALWAYS)) {
            return Optional.empty();
        }
        return Optional.of(MaintenanceWindow.parse(key, text));
    }

    /** Whether no window restricts any cluster: nothing to look up. */
    boolean alwaysOpen() {
        return broken == null && fallback.isEmpty() && clusters.values().stream().allMatch(Optional::isEmpty);
    }

    /** The window of a cluster, empty when it is always open. */
    Optional<MaintenanceWindow> of(String cluster) {
        return clusters.getOrDefault(cluster, fallback);
    }

    /**
     * Why a server of {@code cluster} may not be started at {@code at}, and when it may; empty when it may now.
     */
    Optional<Closed> closed(String cluster, Instant at) {
        if (broken != null) {
            return Optional.of(new Closed(null, "no server starts until etc/org.fleetup.windows.cfg is fixed: "
                    + broken));
        }
        return of(cluster).filter(window -> !window.isOpen(at)).map(window -> {
            Instant opens = window.nextOpening(at);
            return new Closed(opens, "waits for the maintenance window of cluster " + cluster + " (" + window
                    + "), which opens at " + opens.atZone(window.zone()).toOffsetDateTime());
        });
    }

    /** Every cluster with a window of its own, and its window ({@code null} for always open). */
    Map<String, Optional<MaintenanceWindow>> clusters() {
        return clusters;
    }

    Optional<MaintenanceWindow> fallback() {
        return fallback;
    }

    /** The default window, then each cluster's own by name, as they stand at {@code at}. */
    List<ClusterWindow> describe(Instant at) {
        if (broken != null) {
            return List.of(new ClusterWindow(null, null, false, null, broken));
        }
        List<ClusterWindow> described = new ArrayList<>();
        described.add(describe(null, fallback, at));
        clusters.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(entry -> described.add(describe(entry.getKey(), entry.getValue(), at)));
        return described;
    }

    private static ClusterWindow describe(String cluster, Optional<MaintenanceWindow> window, Instant at) {
        return window.map(w -> new ClusterWindow(cluster, w.text(), w.isOpen(at), w.nextOpening(at), null))
                .orElseGet(() -> new ClusterWindow(cluster, ALWAYS, true, at, null));
    }

    /**
     * A closed window.
     *
     * @param opensAt when it opens, {@code null} when unknown
     * @param why what the server's status says
     */
    record Closed(Instant opensAt, String why) {
    }
}
