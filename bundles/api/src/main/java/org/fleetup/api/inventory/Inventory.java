package org.fleetup.api.inventory;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;

/**
 * The fleet, persisted: servers, their last inspection, and an audit trail of what operators did.
 */
public interface Inventory {

    /**
     * Adds servers all at once, or none: a name that exists already (or twice in {@code servers}) fails the whole call
     * with {@link FleetupException#SERVER_INVALID}, and so does a login (user at host and port) that another record
     * has already, or that two of {@code servers} share: one record per server.
     */
    default void addServers(List<Server> servers) {
        addServers(servers, Map.of());
    }

    /**
     * Like {@link #addServers(List)}, trusting for each server what {@code trusted} holds for its name (its host key,
     * see {@link ServerTrust}), in the same transaction.
     */
    void addServers(List<Server> servers, Map<String, String> trusted);

    /**
     * Adds the servers that are new and replaces those whose name exists, in one transaction; like
     * {@link #addServers}, it changes nothing when it would leave two records with the same login.
     */
    default void putServers(List<Server> servers) {
        putServers(servers, Map.of(), existing -> true);
    }

    /**
     * Like {@link #putServers(List)}, but replaces a record only if {@code replaceable} accepts it as it is in the
     * inventory at that moment, in the same transaction; if it refuses one, nothing changes and the call fails with
     * {@link FleetupException#SERVER_INVALID} naming that server. A tool that keeps some records of the fleet (the
     * simulator) changes its own this way and never another's, whatever is imported meanwhile.
     */
    default void putServers(List<Server> servers, Predicate<Server> replaceable) {
        putServers(servers, Map.of(), replaceable);
    }

    /**
     * Like {@link #putServers(List, Predicate)}; what is trusted of each server becomes what {@code trusted} holds for
     * its name, nothing when it holds nothing, in the same transaction.
     */
    void putServers(List<Server> servers, Map<String, String> trusted, Predicate<Server> replaceable);

    Optional<Server> server(String name);

    /** @throws FleetupException {@link FleetupException#SERVER_NOT_FOUND} when there is no such server */
    default Server requireServer(String name) {
        return server(name).orElseThrow(() -> new FleetupException(FleetupException.SERVER_NOT_FOUND,
                "Unknown server '" + name + "'. 'fleet:server-list' shows the servers of the fleet."));
    }

    /** The servers ordered by name; all of them when {@code cluster} is {@code null}. */
    List<Server> servers(String cluster);

    /**
     * The servers an operator's command works on, the same for the shell and the REST API: those named, in the order
     * given, else those of {@code cluster}, else the whole fleet.
     *
     * @throws FleetupException {@link FleetupException#SERVER_NOT_FOUND} for a name of no server;
     *         {@link FleetupException#INVALID_INPUT} when that makes no server at all
     */
    default List<Server> select(List<String> names, String cluster) {
        List<Server> servers = names == null || names.isEmpty()
                ? servers(cluster)
                : names.stream().map(this::requireServer).toList();
        if (servers.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, cluster == null
                    ? "The fleet has no servers. Add some with 'fleet:server-import --csv FILE' (or POST /servers)."
                    : "Cluster '" + cluster + "' has no servers.");
        }
        return servers;
    }

    /**
     * How many servers have an address of each URI scheme (lower case), the transport they need: a scheme that no
     * transport serves is worth showing while servers still use it.
     */
    default Map<String, Integer> serversByScheme() {
        Map<String, Integer> counts = new TreeMap<>();
        servers(null).forEach(server -> counts.merge(scheme(server), 1, Integer::sum));
        return counts;
    }

    private static String scheme(Server server) {
        String scheme = server.address().getScheme();
        return scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    }

    /** @return whether a server of that name existed */
    boolean removeServer(String name);

    void recordInspection(Inspection inspection);

    Optional<Inspection> lastInspection(String server);

    void audit(String actor, String action, String detail);

    /** The latest audit entries, newest first. */
    List<AuditEntry> audit(int limit);
}
