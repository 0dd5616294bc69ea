package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;

import org.fleetup.api.transport.TransportRegistry;

/** The transports usable now, as {@code fleet:transport-list} shows them. */
@Path("/transports")
@Produces(MediaType.APPLICATION_JSON)
public final class TransportsResource {

    /** A URI scheme and the bundle that serves it. */
    public record TransportView(String scheme, String bundle) {
    }

    private static final Map<String, Comparator<? super TransportView>> FIELDS = Map.of(
            "scheme", Sorting.by(TransportView::scheme),
            "bundle", Sorting.by(TransportView::bundle));

    private final TransportRegistry transports;

    TransportsResource(TransportRegistry transports) {
        this.transports = transports;
    }

    @GET
    public Page<TransportView> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                                    @QueryParam("sort") String sort) {
        List<TransportView> views = transports.schemes().entrySet().stream()
                .map(e -> new TransportView(e.getKey(), e.getValue())).toList();
        return Page.of(views, offset, limit, sort, FIELDS, "scheme:ASC");
    }
}
