package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.fleetup.api.transport.TransportRegistry;

/** {@link TransportsApi} over the transport registry. */
public final class TransportsResource implements TransportsApi {

    private static final Map<String, Comparator<? super TransportView>> FIELDS = Map.of(
            "scheme", Sorting.by(TransportView::scheme),
            "bundle", Sorting.by(TransportView::bundle));

    private final TransportRegistry transports;

    TransportsResource(TransportRegistry transports) {
        this.transports = transports;
    }

    @Override
    public Page<TransportView> list(String offset, String limit, String sort) {
        List<TransportView> views = transports.schemes().entrySet().stream()
                .map(e -> new TransportView(e.getKey(), e.getValue())).toList();
        return Page.of(views, offset, limit, sort, FIELDS, "scheme:ASC");
    }
}
