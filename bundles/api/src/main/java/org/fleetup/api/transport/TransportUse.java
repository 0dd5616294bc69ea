package org.fleetup.api.transport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A URI scheme as an operator looks at it: the transport serving it now, if any, and how many servers of the
 * inventory are reached through it. The shell's {@code fleet:transport-list} and the REST API's
 * {@code GET /transports} show these rows, so both tell the same.
 *
 * @param scheme the URI scheme, lower case ({@code ssh})
 * @param bundle the symbolic name of the bundle serving it, or {@code null} when no transport serves it
 * @param version that bundle's version, or {@code null} when no transport serves it or it is not known
 * @param servers how many servers of the inventory have an address of this scheme
 */
public record TransportUse(String scheme, String bundle, String version, int servers) {

    public TransportUse {
        Objects.requireNonNull(scheme, "scheme");
    }

    /** Whether a transport serves the scheme now; servers of a scheme without one fail fast until one is installed. */
    public boolean available() {
        return bundle != null;
    }

    /**
     * Every scheme served now, and every scheme servers use that none serves, sorted by scheme.
     *
     * @param transports the transports usable now
     * @param serversByScheme how many servers use each scheme ({@link org.fleetup.api.inventory.Inventory#serversByScheme()})
     */
    public static List<TransportUse> of(List<TransportInfo> transports, Map<String, Integer> serversByScheme) {
        List<TransportUse> uses = new ArrayList<>();
        transports.forEach(t -> uses.add(new TransportUse(t.scheme(), t.bundle(), t.version(),
                serversByScheme.getOrDefault(t.scheme(), 0))));
        serversByScheme.forEach((scheme, count) -> {
            if (count > 0 && transports.stream().noneMatch(t -> t.scheme().equals(scheme))) {
                uses.add(new TransportUse(scheme, null, null, count));
            }
        });
        uses.sort(Comparator.comparing(TransportUse::scheme));
        return List.copyOf(uses);
    }
}
