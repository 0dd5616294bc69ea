package org.fleetup.rest.internal;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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

import com.fasterxml.jackson.databind.ObjectMapper;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.WaveOptions;
import org.fleetup.api.rollout.Wave;

/** The rollouts: start, list, one with every server's step and history, and the operator's verbs on one. */
@Path("/rollouts")
@Produces(MediaType.APPLICATION_JSON)
public final class RolloutsResource {

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
    public record StartRequest(String product, String version, List<String> servers, String cluster,
                               Integer parallel, String canary, String wave, String maxErrors, String onError,
                               String order, String at, Boolean force) {
    }

    /** One server of a rollout: where it stands, how it ended, and every step it went through. */
    public record ServerView(String server, int wave, String step, String outcome, String from, String to,
                             String detail, Instant updatedAt, List<StepRecord> history) {
    }

    /** A rollout with its waves and servers. */
    public record RolloutView(Rollout rollout, List<Wave> waves, List<ServerView> servers) {
    }

    private static final Map<String, Comparator<? super Rollout>> FIELDS = Map.of(
            "id", Sorting.by(Rollout::id),
            "createdAt", Sorting.by(Rollout::createdAt),
            "startAt", Sorting.by(Rollout::startAt),
            "status", Sorting.by((Rollout r) -> r.status().name()),
            "product", Sorting.by(Rollout::product),
            "version", Sorting.by(Rollout::version));

    private final Rollouts rollouts;
    private final Inventory inventory;
    private final ReleaseStore store;
    private final Scheduler scheduler;
    private final ObjectMapper json;

    RolloutsResource(Rollouts rollouts, Inventory inventory, ReleaseStore store, Scheduler scheduler,
                     ObjectMapper json) {
        this.rollouts = rollouts;
        this.inventory = inventory;
        this.store = store;
        this.scheduler = scheduler;
        this.json = json;
    }

    @GET
    public Page<Rollout> list(@QueryParam("offset") String offset, @QueryParam("limit") String limit,
                              @QueryParam("sort") String sort) {
        return Page.of(rollouts.list(), offset, limit, sort, FIELDS, "createdAt:DESC");
    }

    /** Starts a rollout as {@code fleet:rollout-start --yes} does; 201 with the rollout and its Location. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(StartRequest request, @Context SecurityContext caller) {
        if (request == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The body must be a JSON object naming the"
                    + " release: {\"product\": \"demo-app\", \"version\": \"2.0.0\"}.");
        }
        int parallel = request.parallel() == null ? RolloutOptions.DEFAULT_PARALLELISM : request.parallel();
        boolean force = Boolean.TRUE.equals(request.force());
        RolloutOptions options = WaveOptions.parse(request.canary(), request.wave(), request.maxErrors(),
                request.onError(), request.order(), parallel, force);
        // Refused when it has passed or is too far ahead, before anything is saved.
        Instant start = scheduler.resolve(request.at());
        Release release = Selection.release(store, request.product(), request.version());
        List<Server> servers = Selection.servers(inventory, request.servers(), request.cluster());
        Rollout rollout = rollouts.start(new RolloutRequest(release.product(), release.version(),
                servers.stream().map(Server::name).toList(), parallel,
                start.isAfter(Instant.now()) ? start : null, force, caller.getUserPrincipal().getName(), options));
        return Response.created(URI.create("rollouts/" + rollout.id())).entity(rollout).build();
    }

    @GET
    @Path("{id}")
    public RolloutView get(@PathParam("id") String id) {
        Rollout rollout = rollouts.require(id);
        List<ServerView> servers = rollouts.servers(id).stream().map(s -> view(id, s)).toList();
        return new RolloutView(rollout, rollouts.waves(id), servers);
    }

    /**
     * Server-sent events: a {@code step} event for where each server stands and for every step change after, then a
     * {@code completion} event naming every failed server and why, and the end of the stream; a {@code paused} event
     * when the rollout pauses.
     */
    @GET
    @Path("{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @Context SseEventSink sink, @Context Sse sse) {
        rollouts.require(id);
        new RolloutEvents(rollouts, id, sink, sse, json).start();
    }

    @POST
    @Path("{id}/pause")
    public Rollout pause(@PathParam("id") String id, @Context SecurityContext caller) {
        return rollouts.pause(id, caller.getUserPrincipal().getName());
    }

    @POST
    @Path("{id}/resume")
    public Rollout resume(@PathParam("id") String id, @Context SecurityContext caller) {
        return rollouts.resume(id, caller.getUserPrincipal().getName());
    }

    @POST
    @Path("{id}/cancel")
    public Rollout cancel(@PathParam("id") String id, @Context SecurityContext caller) {
        return rollouts.cancel(id, caller.getUserPrincipal().getName());
    }

    /** A new rollout of the failed servers of an ended one; 201 with the new rollout. */
    @POST
    @Path("{id}/retry")
    public Response retry(@PathParam("id") String id, @Context SecurityContext caller) {
        Rollout retried = rollouts.retry(id, caller.getUserPrincipal().getName());
        return Response.created(URI.create("rollouts/" + retried.id())).entity(retried).build();
    }

    private ServerView view(String id, RolloutServer server) {
        return new ServerView(server.server(), server.wave(), server.state().name(),
                ReportStatus.of(server).label(), server.from(), server.to(), server.detail(), server.updatedAt(),
                rollouts.history(id, server.server()));
    }
}
