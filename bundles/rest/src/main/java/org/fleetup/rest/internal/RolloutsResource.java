package org.fleetup.rest.internal;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

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
import org.fleetup.api.rollout.WaveOptions;

/** {@link RolloutsApi} over the rollouts, with the selection and the options read as the shell reads them. */
public final class RolloutsResource implements RolloutsApi {

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

    @Override
    public Page<Rollout> list(String offset, String limit, String sort) {
        return Page.of(rollouts.list(), offset, limit, sort, FIELDS, "createdAt:DESC");
    }

    @Override
    public Response start(StartRequest request, SecurityContext caller) {
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
        List<Server> servers = inventory.select(request.servers(), request.cluster());
        Rollout rollout = rollouts.start(new RolloutRequest(release.product(), release.version(),
                servers.stream().map(Server::name).toList(), parallel,
                start.isAfter(Instant.now()) ? start : null, force, caller.getUserPrincipal().getName(), options));
        return Response.created(URI.create("rollouts/" + rollout.id())).entity(rollout).build();
    }

    @Override
    public RolloutView get(String id) {
        Rollout rollout = rollouts.require(id);
        List<ServerView> servers = rollouts.servers(id).stream().map(s -> view(id, s)).toList();
        return new RolloutView(rollout, rollouts.waves(id), servers);
    }

    @Override
    public void events(String id, SseEventSink sink, Sse sse) {
        rollouts.require(id);
        new RolloutEvents(rollouts, id, sink, sse, json).start();
    }

    @Override
    public Rollout pause(String id, SecurityContext caller) {
        return rollouts.pause(id, caller.getUserPrincipal().getName());
    }

    @Override
    public Rollout resume(String id, SecurityContext caller) {
        return rollouts.resume(id, caller.getUserPrincipal().getName());
    }

    @Override
    public Rollout cancel(String id, SecurityContext caller) {
        return rollouts.cancel(id, caller.getUserPrincipal().getName());
    }

    @Override
    public Response retry(String id, SecurityContext caller) {
        Rollout retried = rollouts.retry(id, caller.getUserPrincipal().getName());
        return Response.created(URI.create("rollouts/" + retried.id())).entity(retried).build();
    }

    private ServerView view(String id, RolloutServer server) {
        return new ServerView(server.server(), server.wave(), server.state().name(),
                ReportStatus.of(server).label(), server.from(), server.to(), server.detail(), server.updatedAt(),
                rollouts.history(id, server.server()));
    }
}
