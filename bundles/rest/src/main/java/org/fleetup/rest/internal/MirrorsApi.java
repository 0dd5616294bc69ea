package org.fleetup.rest.internal;

import javax.ws.rs.GET;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.fleetup.api.mirror.MirrorAlarm;

/** The mirrors and their overdue alarms, as {@code fleet:mirror-list} and {@code fleet:alarm-list} show them. */
@Path("/mirrors")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "mirrors", description = "The mirrors this primary syncs, and the releases overdue on them")
public interface MirrorsApi {

    @GET
    @Operation(summary = "The mirrors: URL, pinned key, last sync, state, lag (releases missing), open alarms",
            description = "Sortable by name, lastSync, state; default name:ASC.")
    Page<MirrorsResource.MirrorView> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                                          @QueryParam("sort") String sort);

    @GET
    @Path("alarms")
    @Operation(summary = "The overdue alarms, newest first: raised when a mirror's agents still run an older version "
            + "after a release's scheduled time, cleared when a new time reached the mirror",
            description = "Open ones only unless all=true. Sortable by raisedAt, mirror; default raisedAt:DESC.")
    Page<MirrorAlarm> alarms(@QueryParam("all") boolean all, @QueryParam("offset") String offset,
                             @QueryParam("limit") String limit, @QueryParam("sort") String sort);

    @GET
    @Path("alarms/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events of the overdue alarms",
            description = "A raised event for each alarm open when the client connects and for each raised after, a"
                    + " cleared event for each cleared; the stream goes on until the client closes it.")
    void alarmEvents(@Context SseEventSink sink, @Context Sse sse);
}
