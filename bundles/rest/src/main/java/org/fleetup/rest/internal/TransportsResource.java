package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.transport.TransportUse;

/** {@link TransportsApi} over the transport registry and the servers that use each scheme. */
public final class TransportsResource implements TransportsApi {

    private static final Map<String, Comparator<? super TransportView>> FIELDS = Map.of(
            "scheme", Sorting.by(TransportView::scheme),
            "bundle", Sorting.by(TransportView::bundle),
            "version", Sorting.by(TransportView::version),
            "servers", Comparator.comparingInt(TransportView::servers));

    private final TransportRegistry transports;
    private final Inventory inventory;

    TransportsResource(TransportRegistry transports, Inventory inventory) {
        this.transports = transports;
        this.inventory = inventory;
    }

    @Override
    public Page<TransportView> list(String offset, String limit, String sort) {
        List<TransportView> views = TransportUse.of(transports.transports(), inventory.serversByScheme()).stream()
                .map(use -> new TransportView(use.scheme(), use.bundle(), use.version(), use.servers(),
                        use.available()))
                .toList();
        return Page.of(views, offset, limit, sort, FIELDS, "scheme:ASC");
    }
}
