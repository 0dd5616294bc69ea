package org.fleetup.routes.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.core.osgi.OsgiDefaultCamelContext;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.Upgrader;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Fleetup's Camel context and runs inspections and rollouts through its routes. A rollout left scheduled or
 * running by an earlier life of the controller is taken up again at activation, without redoing finished servers.
 */
@Component(service = {Rollouts.class, FleetInspection.class})
@Designate(ocd = FleetRouting.Config.class)
public final class FleetRouting implements Rollouts, FleetInspection {

    @ObjectClassDefinition(name = "Fleetup routes", description = "How inspections and rollouts fan out")
    public @interface Config {

        @AttributeDefinition(description = "Most servers worked on at once, over all inspections and rollouts")
        int maxParallelism() default 64;
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(FleetRouting.class);

    private final Inventory inventory;
    private final RolloutRepository repository;
    private final ReleaseStore store;
    private final TransportRegistry transports;
    private final Planner planner;
    private final Scheduler scheduler;
    private final RolloutTracker tracker;
    private final RolloutLifecycle lifecycle;
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();
    private final CamelContext camel;
    private final ProducerTemplate template;

    @Activate
    public FleetRouting(BundleContext bundleContext, Config config, @Reference Inventory inventory,
                        @Reference RolloutRepository repository, @Reference ReleaseStore store,
                        @Reference TransportRegistry transports, @Reference Inspector inspector,
                        @Reference Planner planner, @Reference Upgrader upgrader, @Reference Scheduler scheduler)
            throws Exception {
        this(osgiContext(bundleContext), config.maxParallelism(), inventory, repository, store, transports, inspector,
                planner, upgrader, scheduler);
    }

    /** @param camel a context of its own, not started: it is started here and stopped at deactivation */
    FleetRouting(CamelContext camel, int maxParallelism, Inventory inventory, RolloutRepository repository,
                 ReleaseStore store, TransportRegistry transports, Inspector inspector, Planner planner,
                 Upgrader upgrader, Scheduler scheduler) throws Exception {
        this.inventory = inventory;
        this.repository = repository;
        this.store = store;
        this.transports = transports;
        this.planner = planner;
        this.scheduler = scheduler;
        this.tracker = new RolloutTracker(repository);
        this.lifecycle = new RolloutLifecycle(repository, inventory, tracker);
        RolloutSteps rolloutSteps = new RolloutSteps(repository, inventory, store, upgrader, tracker, lifecycle);

        this.camel = camel;
        ExecutorService serverPool = camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "fleetup-server", maxParallelism);
        camel.start();
        // Added to the running context, the routes start at once; added before, the OSGi context left them stopped.
        camel.addRoutes(new FleetRoutes(new InspectionSteps(inspector, inventory), rolloutSteps, serverPool));
        LOGGER.info("Camel context {} runs routes {}", camel.getName(),
                camel.getRoutes().stream().map(Route::getRouteId).toList());
        template = camel.createProducerTemplate();
        takeUpUnfinished();
    }

    private static CamelContext osgiContext(BundleContext bundleContext) {
        OsgiDefaultCamelContext context = new OsgiDefaultCamelContext(bundleContext);
        context.setName("fleetup");
        return context;
    }

    @Deactivate
    void deactivate() {
        // What this component scheduled must not fire into a stopped context; its next life schedules it again.
        scheduled.forEach(scheduler::cancel);
        camel.stop();
    }

    @Override
    public List<Inspection> inspect(List<Server> servers, String product, int parallelism) {
        // Once, before any server: a name that is not a product is the request's fault, not every server's.
        ReleaseNames.requireProduct(product);
        requireTransports(servers);
        Semaphore limit = new Semaphore(Math.max(1, parallelism));
        List<InspectionSteps.Task> tasks = new ArrayList<>();
        servers.forEach(server -> tasks.add(new InspectionSteps.Task(server, product, limit)));
        List<?> results = template.requestBody(FleetRoutes.INSPECT, tasks, List.class);
        return results.stream().map(Inspection.class::cast).toList();
    }

    @Override
    public Plan plan(Release release, List<Server> servers, int parallelism, boolean allowDowngrade) {
        return planner.plan(release, inspect(servers, release.product(), parallelism), allowDowngrade);
    }

    @Override
    public Rollout start(RolloutRequest request) {
        Release release = store.require(request.product(), request.version());
        List<Server> servers = request.servers().isEmpty()
                ? inventory.servers(null)
                : request.servers().stream().map(inventory::requireServer).toList();
        if (servers.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT,
                    "The fleet has no servers. Add some with 'fleet:server-import --csv FILE'.");
        }
        requireTransports(servers);
        Instant now = Instant.now();
        Instant at = request.at() == null ? now : scheduler.requireSchedulable(request.at());
        List<String> names = servers.stream().map(Server::name).toList();
        Rollout rollout = new Rollout(UUID.randomUUID().toString().substring(0, 8), release.product(),
                release.version(), names, request.parallelism(), request.force(), RolloutStatus.SCHEDULED, now, at,
                null, null);
        lifecycle.create(rollout, request.actor(), rollout.id() + " " + release.coordinates() + " on "
                + names.size() + " servers, " + request.parallelism() + " at a time, at " + at
                + (request.force() ? ", forced" : ""));
        try {
            schedule(rollout.id(), at);
        } catch (RuntimeException e) {
            lifecycle.abort(rollout.id(), "could not be scheduled: " + e.getMessage());
            throw e;
        }
        return rollout;
    }

    @Override
    public Rollout cancel(String id, String actor) {
        Rollout after = lifecycle.cancel(id, actor);
        if (after.status() == RolloutStatus.CANCELLED) {
            // After the status is saved: a timer that fires meanwhile finds the rollout ended and starts nothing.
            scheduled.remove(id);
            scheduler.cancel(id);
        }
        return after;
    }

    /** Fails before anything changes when a server's address has no transport. */
    private void requireTransports(List<Server> servers) {
        servers.forEach(server -> transports.transportFor(server.address()));
    }

    private void schedule(String id, Instant at) {
        scheduled.add(id);
        scheduler.schedule(id, at, () -> {
            scheduled.remove(id);
            launch(id);
        });
    }

    private void launch(String id) {
        template.asyncRequestBodyAndHeader(FleetRoutes.ROLLOUT, id, RolloutSteps.ROLLOUT_ID, id)
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        LOGGER.error("Rollout {} failed", id, failure);
                        lifecycle.abort(id, String.valueOf(failure.getMessage()));
                    }
                });
    }

    /**
     * Schedules again what an earlier life of the controller left unfinished. Nothing read from the database stops the
     * controller from starting: a rollout that cannot be taken up is aborted with the reason, and the others go on.
     */
    private void takeUpUnfinished() {
        List<Rollout> unfinished;
        try {
            unfinished = repository.unfinished();
        } catch (RuntimeException e) {
            LOGGER.error("Could not read the rollouts left unfinished: none is taken up until the controller starts"
                    + " again", e);
            return;
        }
        for (Rollout rollout : unfinished) {
            try {
                takeUp(rollout);
            } catch (RuntimeException e) {
                LOGGER.error("Rollout {} cannot be taken up; it is aborted and skipped", rollout.id(), e);
                try {
                    lifecycle.abort(rollout.id(), "could not be taken up when the controller started: "
                            + e.getMessage());
                } catch (RuntimeException stillBroken) {
                    LOGGER.error("Rollout {} could not be marked aborted either; it is skipped", rollout.id(),
                            stillBroken);
                }
            }
        }
    }

    private void takeUp(Rollout rollout) {
        if (rollout.parallelism() < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "its parallelism is "
                    + rollout.parallelism() + ", and a rollout upgrades at least 1 server at a time");
        }
        if (rollout.status() != RolloutStatus.SCHEDULED) {
            LOGGER.info("Rollout {} was {} when the controller stopped: taking it up again", rollout.id(),
                    rollout.status());
            schedule(rollout.id(), Instant.now());
            return;
        }
        if (rollout.startAt() == null) {
            throw new FleetupException(FleetupException.TIME_INVALID, "it has no start time");
        }
        if (rollout.startAt().isAfter(Instant.now())) {
            try {
                scheduler.requireSchedulable(rollout.startAt());
            } catch (FleetupException farOff) {
                // Saved before times so far ahead were refused: kept, as it may be meant, but told.
                LOGGER.warn("Rollout {} holds its servers until then: {} If that was a typo, cancel it with"
                        + " 'fleet:rollout-cancel {}'.", rollout.id(), farOff.getMessage(), rollout.id());
            }
        }
        LOGGER.info("Rollout {} is scheduled at {}", rollout.id(), rollout.startAt());
        schedule(rollout.id(), rollout.startAt());
    }

    // The stored engine (issue 11) implements these; this branch only carries the API.
    @Override
    public Rollout pause(String id, String actor) {
        throw new UnsupportedOperationException("pause: the stored rollout engine implements it");
    }

    @Override
    public Rollout resume(String id, String actor) {
        throw new UnsupportedOperationException("resume: the stored rollout engine implements it");
    }

    @Override
    public Rollout retry(String id, String actor) {
        throw new UnsupportedOperationException("retry: the stored rollout engine implements it");
    }

    @Override
    public List<Wave> waves(String id) {
        throw new UnsupportedOperationException("waves: the stored rollout engine implements it");
    }

    @Override
    public List<StepRecord> history(String id, String server) {
        throw new UnsupportedOperationException("history: the stored rollout engine implements it");
    }

    @Override
    public Optional<Rollout> find(String id) {
        return repository.rollout(id);
    }

    @Override
    public List<Rollout> list() {
        return repository.rollouts();
    }

    @Override
    public List<RolloutServer> servers(String id) {
        require(id);
        return repository.servers(id);
    }

    @Override
    public CompletionStage<Rollout> completion(String id) {
        require(id);
        return tracker.completion(id);
    }

    @Override
    public AutoCloseable watch(String id, StepListener listener) {
        require(id);
        return tracker.watch(id, listener);
    }
}
