package org.fleetup.rest.internal;

import java.time.Instant;
import java.util.List;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;
import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.Wave;

/** The rollouts: start, list, one with every server's step and history, its events, and the operator's verbs. */
@Path("/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "rollouts", description = "Releases brought to servers, in waves")
public interface RolloutsApi {

    /**
     * A rollout to start, with the options of {@code fleet:rollout-start} under the same names.
     *
     * @param servers the servers by name; those of {@code cluster}, or the whole fleet, when empty
     * @param parallel how many servers are upgraded at once (default 10)
     * @param canary the first wave: a count ({@code 1}) or a percentage ({@code 25%})
     * @param wave every later wave
     * @param maxErrors failed servers of one wave that stop the rollout
     * @param onError {@code pause} or {@code abort}
     * @param order {@code speed}, {@code name} or {@code random}
     * @param at when to start: {@code 03:00}, a local date-time or an ISO instant; now when absent
     * @param force also downgrade servers that run something newer
     */
    record StartRequest(String product, String version, List<String> servers, String cluster, Integer parallel,
                        String canary, String wave, String maxErrors, String onError, String order, String at,
                        Boolean force) {
    }

    /** One server of a rollout: where it stands, how it ended, and every step it went through. */
    record ServerView(String server, int wave, String step, String outcome, String from, String to, String detail,
                      Instant updatedAt, List<StepRecord> history) {
    }

    /** A rollout with its waves and servers. */
    record RolloutView(Rollout rollout, List<Wave> waves, List<ServerView> servers) {
    }

    @GET
    @Operation(summary = "The rollouts, as fleet:rollout-list shows them",
            description = "Sortable by id, createdAt, startAt, status, product, version; default createdAt:DESC.")
    Page<Rollout> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                       @QueryParam("sort") String sort);

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Starts a rollout, as fleet:rollout-start --yes",
            description = "201 with the rollout and its Location; 409 when a rollout that has not ended holds one"
                    + " of its servers.")
    Response start(StartRequest request, @Context SecurityContext caller);

    @GET
    @Path("{id}")
    @Operation(summary = "A rollout, its waves, and every server's step, outcome and history",
            description = "As fleet:rollout-status ID --history.")
    RolloutView get(@PathParam("id") String id);

    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Server-sent events of the rollout",
            description = "A step event for where each server stands and for every step change after; a paused"
                    + " event when it pauses; a completion event naming every failed server and why when it ends,"
                    + " and the end of the stream.")
    void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse);

    @POST
    @Path("{id}/pause")
    @Operation(summary = "No new server starts; those in flight finish or roll back")
    Rollout pause(@PathParam("id") String id, @Context SecurityContext caller);

    @POST
    @Path("{id}/resume")
    @Operation(summary = "Resumes a paused rollout: the wave that stopped it counts as done")
    Rollout resume(@PathParam("id") String id, @Context SecurityContext caller);

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancels a rollout: a scheduled one never starts, a running one starts no new server")
    Rollout cancel(@PathParam("id") String id, @Context SecurityContext caller);

    @POST
    @Path("{id}/retry")
    @Operation(summary = "A new rollout of the same release and options on the servers that failed; 201")
    Response retry(@PathParam("id") String id, @Context SecurityContext caller);
}
