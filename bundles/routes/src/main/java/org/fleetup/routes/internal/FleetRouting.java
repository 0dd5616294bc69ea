package org.fleetup.routes.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import org.apache.camel.CamelContext;
import org.apache.camel.ManagementMBeansLevel;
import org.apache.camel.ManagementStatisticsLevel;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.core.osgi.OsgiDefaultCamelContext;
import org.apache.camel.spi.ManagementAgent;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspector;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.pull.PullAgents;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Controller;
import org.fleetup.api.rollout.Estimate;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.api.upgrade.Upgrader;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns Fleetup's Camel context and runs inspections and rollouts through its routes. A rollout lives in the inventory
 * and the engine advances it from there, so that one left scheduled, running or paused by an earlier life of the
 * controller (or by another controller) goes on without redoing finished servers.
 */
// Started only with etc/org.fleetup.routes.cfg (the feature ships it): its settings apply from the first activation,
// and the component is not activated once without them and again when the file arrives.
@Component(service = {Rollouts.class, FleetInspection.class, PullRollouts.class}, configurationPid = "org.fleetup.routes",
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = FleetRouting.Config.class)
public final class FleetRouting implements Rollouts, FleetInspection, PullRollouts {

    // The configuration's defaults, which settings made without a configuration (tests) take too.
    static final int DEFAULT_CONNECT_RETRIES = 2;
    static final long DEFAULT_CONNECT_RETRY_DELAY_MILLIS = 1000;
    static final long DEFAULT_ESTIMATE_BYTES_PER_SECOND = 10L * 1024 * 1024;
    static final int DEFAULT_ESTIMATE_SECONDS_PER_SERVER = 10;
    static final int DEFAULT_PULL_DEADLINE_SECONDS = 7200;
    static final Duration DEFAULT_PULL_DEADLINE = Duration.ofSeconds(DEFAULT_PULL_DEADLINE_SECONDS);

    @ObjectClassDefinition(name = "Fleetup routes", description = "How inspections and rollouts fan out")
    public @interface Config {

        @AttributeDefinition(description = "Most servers worked on at once by inspections, and, apart, by rollouts")
        int maxParallelism() default 64;

        @AttributeDefinition(description = "This controller's name in the leases of the servers it works on; empty"
                + " for <host>:<karaf.home>. Controllers sharing an inventory need different names.")
        String controllerId() default "";

        @AttributeDefinition(description = "Where operators reach this controller, as fleet:controller-list shows it;"
                + " empty for <host> pid <pid>")
        String address() default "";

        @AttributeDefinition(min = "10", description = "Milliseconds between two looks of the rollout engine at the"
                + " rollouts that have not ended")
        long tickMillis() default 500;

        @AttributeDefinition(min = "1", description = "Seconds a controller holds a server it works on without"
                + " renewing; after that another may take the server over")
        int leaseSeconds() default 30;

        @AttributeDefinition(min = "0", description = "How many more times a rollout tries to connect to a server it"
                + " cannot reach, or whose transport is gone (one being replaced comes back), before the server fails")
        int connectRetries() default DEFAULT_CONNECT_RETRIES;

        @AttributeDefinition(min = "0", description = "Milliseconds before the first retry to connect; each next"
                + " wait is twice as long. No worker waits meanwhile.")
        long connectRetryDelayMillis() default DEFAULT_CONNECT_RETRY_DELAY_MILLIS;

        @AttributeDefinition(min = "1", description = "Bytes per second the plan's estimate counts for a server with"
                + " no measured transfer rate, when no server of the plan has one; otherwise the median of theirs")
        long estimateBytesPerSecond() default DEFAULT_ESTIMATE_BYTES_PER_SECOND;

        @AttributeDefinition(min = "0", description = "Seconds the plan's estimate counts for what a server takes"
                + " besides its transfer (connect, checks, unpack, switch, health), until earlier rollouts have"
                + " upgraded servers to learn it from")
        int estimateSecondsPerServer() default DEFAULT_ESTIMATE_SECONDS_PER_SERVER;

        @AttributeDefinition(min = "1", description = "Seconds a pull agent of an open wave may stay silent (no check"
                + " that takes its offer, no report) before it counts as failed in its wave")
        int pullDeadlineSeconds() default DEFAULT_PULL_DEADLINE_SECONDS;
    }

    /**
     * How the engine runs.
     *
     * @param controllerId this controller's name in leases
     * @param tickMillis between two ticks
     * @param lease how long a claim holds without renewal
     * @param maxParallelism the workers of inspections, and apart those of rollouts
     * @param unreachable how a step that cannot reach its server is tried again
     * @param estimates what the plan's estimate counts when the inventory knows nothing better
     * @param address where operators reach this controller
     * @param pullDeadline how long a pull agent of an open wave may stay silent before it fails
     */
    record Settings(String controllerId, long tickMillis, Duration lease, int maxParallelism,
                    FleetErrors.Retries unreachable, RolloutEstimator.Defaults estimates, String address,
                    Duration pullDeadline) {

        /** The configuration's defaults of the estimate, for settings made without them. */
        static final RolloutEstimator.Defaults DEFAULT_ESTIMATES = new RolloutEstimator.Defaults(
                DEFAULT_ESTIMATE_BYTES_PER_SECOND, Duration.ofSeconds(DEFAULT_ESTIMATE_SECONDS_PER_SERVER));

        Settings(String controllerId, long tickMillis, Duration lease, int maxParallelism,
                 FleetErrors.Retries unreachable, RolloutEstimator.Defaults estimates) {
            this(controllerId, tickMillis, lease, maxParallelism, unreachable, estimates, defaultAddress(),
                    DEFAULT_PULL_DEADLINE);
        }

        Settings(String controllerId, long tickMillis, Duration lease, int maxParallelism,
                 FleetErrors.Retries unreachable) {
            this(controllerId, tickMillis, lease, maxParallelism, unreachable, DEFAULT_ESTIMATES);
        }

        Settings(String controllerId, long tickMillis, Duration lease, int maxParallelism) {
            this(controllerId, tickMillis, lease, maxParallelism, new FleetErrors.Retries(DEFAULT_CONNECT_RETRIES,
                    Duration.ofMillis(DEFAULT_CONNECT_RETRY_DELAY_MILLIS)));
        }

        static Settings of(Config config) {
            return new Settings(config.controllerId().isBlank() ? defaultControllerId() : config.controllerId(),
                    config.tickMillis(), Duration.ofSeconds(config.leaseSeconds()), config.maxParallelism(),
                    new FleetErrors.Retries(config.connectRetries(),
                            Duration.ofMillis(config.connectRetryDelayMillis())),
                    new RolloutEstimator.Defaults(config.estimateBytesPerSecond(),
                            Duration.ofSeconds(config.estimateSecondsPerServer())),
                    config.address().isBlank() ? defaultAddress() : config.address(),
                    Duration.ofSeconds(config.pullDeadlineSeconds()));
        }

        private static String defaultControllerId() {
            return host() + ":" + System.getProperty("karaf.home", System.getProperty("user.dir"));
        }

        /** The host and this JVM's process: enough for an operator to find a controller that misbehaves. */
        private static String defaultAddress() {
            return host() + " pid " + ProcessHandle.current().pid();
        }

        private static String host() {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                return "localhost";
            }
        }
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
    private final RolloutEngine engine;
    private final ControllerPresence presence;
    private final CamelContext camel;
    private final ProducerTemplate template;
    private final StepTimings stepTimings = new StepTimings();
    private final RolloutEstimator estimator;
    private final Random random = new Random();
    /** {@code null} when made without a pull registry (tests of servers only): no pull deployments then. */
    private final PullDeployments pull;

    @Activate
    public FleetRouting(BundleContext bundleContext, Config config, @Reference Inventory inventory,
                        @Reference RolloutRepository repository, @Reference ReleaseStore store,
                        @Reference TransportRegistry transports, @Reference Inspector inspector,
                        @Reference Planner planner, @Reference Upgrader upgrader, @Reference Scheduler scheduler,
                        @Reference WindowSettings windows, @Reference PullRegistry pullRegistry)
            throws Exception {
        this(osgiContext(bundleContext), Settings.of(config), inventory, repository, store, transports, inspector,
                planner, upgrader, scheduler, windows::windows, Clock.systemUTC(), pullRegistry);
    }

    /** @param camel a context of its own, not started: it is started here and stopped at deactivation */
    FleetRouting(CamelContext camel, Settings settings, Inventory inventory, RolloutRepository repository,
                 ReleaseStore store, TransportRegistry transports, Inspector inspector, Planner planner,
                 Upgrader upgrader, Scheduler scheduler) throws Exception {
        this(camel, settings, inventory, repository, store, transports, inspector, planner, upgrader, scheduler,
                () -> MaintenanceWindows.ALWAYS_OPEN, Clock.systemUTC(), null);
    }

    /** As Declarative Services makes it, with no maintenance window. */
    FleetRouting(CamelContext camel, Settings settings, Inventory inventory, RolloutRepository repository,
                 ReleaseStore store, TransportRegistry transports, Inspector inspector, Planner planner,
                 Upgrader upgrader, Scheduler scheduler, PullRegistry pullRegistry) throws Exception {
        this(camel, settings, inventory, repository, store, transports, inspector, planner, upgrader, scheduler,
                () -> MaintenanceWindows.ALWAYS_OPEN, Clock.systemUTC(), pullRegistry);
    }

    /**
     * @param windows the maintenance windows as they are at each tick
     * @param clock the operator's time, which the windows are read on
     */
    FleetRouting(CamelContext camel, Settings settings, Inventory inventory, RolloutRepository repository,
                 ReleaseStore store, TransportRegistry transports, Inspector inspector, Planner planner,
                 Upgrader upgrader, Scheduler scheduler, Supplier<MaintenanceWindows> windows, Clock clock)
            throws Exception {
        this(camel, settings, inventory, repository, store, transports, inspector, planner, upgrader, scheduler,
                windows, clock, null);
    }

    /** @param pullRegistry the pull agents; {@code null} for none, when the test has no pull agents */
    FleetRouting(CamelContext camel, Settings settings, Inventory inventory, RolloutRepository repository,
                 ReleaseStore store, TransportRegistry transports, Inspector inspector, Planner planner,
                 Upgrader upgrader, Scheduler scheduler, Supplier<MaintenanceWindows> windows, Clock clock,
                 PullRegistry pullRegistry) throws Exception {
        this.inventory = inventory;
        this.repository = repository;
        this.store = store;
        this.transports = transports;
        this.planner = planner;
        this.scheduler = scheduler;
        // One incarnation per activation, unique to this JVM: its leases are told from those of the earlier ones, taken
        // back below, and of other controllers.
        String owner = settings.controllerId() + "/" + UUID.randomUUID();
        this.tracker = new RolloutTracker(repository, owner);
        this.estimator = new RolloutEstimator(repository, settings.estimates(), settings.maxParallelism(),
                Duration.ofMillis(settings.tickMillis()));
        this.lifecycle = new RolloutLifecycle(repository, inventory, tracker);
        this.engine = new RolloutEngine(repository, lifecycle, tracker, owner, settings.lease(),
                settings.maxParallelism(), new WindowGate(windows, inventory, clock), settings.pullDeadline());
        this.pull = pullRegistry == null ? null : new PullDeployments(repository, lifecycle, tracker, pullRegistry,
                store, planner, settings.lease());

        this.camel = camel;
        // The next incarnation takes the servers in flight back at once: wait for their workers to stop, up to the
        // lease, which another controller would wait for as well.
        camel.getShutdownStrategy().setTimeout(Math.max(1, settings.lease().toSeconds()));
        camel.getShutdownStrategy().setShutdownNowOnTimeout(true);
        ExecutorService serverPool = camel.getExecutorServiceManager()
                .newFixedThreadPool(this, "fleetup-server", settings.maxParallelism());
        ScheduledExecutorService heartbeats = camel.getExecutorServiceManager()
                .newScheduledThreadPool(this, "fleetup-lease", 1);
        ActionWorker worker = new ActionWorker(repository, inventory, store, upgrader, tracker, engine, heartbeats,
                settings.lease());
        this.presence = new ControllerPresence(repository, engine, tracker, settings.controllerId(), owner,
                settings.address(), settings.lease());
        camel.start();
        // Once started: the context sets its management up as it starts, and a notifier added before may be lost.
        camel.getManagementStrategy().addEventNotifier(stepTimings);
        stepTimings.start();
        // Before the first tick: whether this controller decides for the rollouts is known from it on.
        presence.start(camel.getExecutorServiceManager().newScheduledThreadPool(this, "fleetup-heartbeat", 1));
        takeUpUnfinished(settings.controllerId(), owner);
        // Added to the running context, the routes start at once; added before, the OSGi context left them stopped.
        camel.addRoutes(new FleetErrors(worker, settings.unreachable()));
        camel.addRoutes(new FleetRoutes(new InspectionSteps(inspector, inventory, repository), serverPool, engine,
                worker, settings.tickMillis(), settings.maxParallelism()));
        LOGGER.info("Camel context {} runs routes {}; this controller is {}", camel.getName(),
                camel.getRoutes().stream().map(Route::getRouteId).toList(), owner);
        template = camel.createProducerTemplate();
        String actions = FleetRoutes.actions(settings.maxParallelism());
        engine.dispatchTo(claim -> template.sendBody(actions, claim));
    }

    private static CamelContext osgiContext(BundleContext bundleContext) {
        OsgiDefaultCamelContext context = new OsgiDefaultCamelContext(bundleContext);
        context.setName("fleetup");
        // The context's and the routes' MBeans and counters (camel:route-list), none for each processor and service:
        // nothing reads those, their registration was on the thread that starts the fleet's services (JFR of a
        // restart), and their counters are updated on every exchange.
        ManagementAgent jmx = context.getManagementStrategy().getManagementAgent();
        if (jmx != null) {
            jmx.setMBeansLevel(ManagementMBeansLevel.RoutesOnly);
            jmx.setStatisticsLevel(ManagementStatisticsLevel.RoutesOnly);
        }
        return context;
    }

    /**
     * Hands the running rollouts over to the next incarnation: nothing more is claimed or written, and the servers in
     * flight keep their leases, which the next incarnation of this controller takes back at once. Nothing is marked
     * failed because the controller stopped.
     */
    @Deactivate
    void deactivate() {
        engine.stop();
        presence.stop();
        camel.stop();
        stepTimings.stop();
    }

    /** How long each step of the servers' procedures took, by step, since this incarnation started. */
    Map<String, StepTimings.Timing> stepTimings() {
        return stepTimings.timings();
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
        requireCapable(release, servers);
        return planner.plan(release, inspect(servers, release.product(), parallelism), allowDowngrade);
    }

    @Override
    public Plan plan(Release release, int parallelism, boolean allowDowngrade) {
        List<Server> servers = inventory.servers(null);
        List<PlanEntry> agents = plan(release, allowDowngrade);
        if (servers.isEmpty() && agents.isEmpty()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The fleet has no servers and no "
                    + release.product() + " pull agent has checked in. Add servers with 'fleet:server-import --csv"
                    + " FILE' (or POST /servers), or start agents in pull mode.");
        }
        Plan plan = servers.isEmpty() ? new Plan(release, List.of(), Instant.now())
                : plan(release, servers, parallelism, allowDowngrade);
        return plan.with(agents);
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
        requireCapable(release, servers);
        Instant now = Instant.now();
        Instant at = request.at() == null ? now : scheduler.requireSchedulable(request.at());
        RolloutOptions options = request.options();
        List<String> names = WavePlan.order(servers.stream().map(Server::name).distinct().toList(), options.order(),
                options.order() == ServerOrder.SPEED ? repository.transferRates() : Map.of(),
                options.order() == ServerOrder.SPEED ? repository.roundTrips() : Map.of(), random);
        Rollout rollout = new Rollout(UUID.randomUUID().toString(), release.product(), release.version(), names,
                request.parallelism(), request.force(), RolloutStatus.SCHEDULED, now, at, null, null, options,
                request.actor());
        List<Wave> waves = WavePlan.waves(rollout.id(), names.size(), options);
        lifecycle.create(rollout, waves, request.actor(), rollout.id() + " " + release.coordinates() + " on "
                + names.size() + " servers in " + waves.size() + " waves (canary " + options.canary() + ", waves of "
                + options.wave() + ", max errors " + options.maxErrors() + " then " + options.onError() + ", order "
                + options.order() + "), " + request.parallelism() + " at a time, at " + at
                + (request.force() ? ", forced" : ""));
        return rollout;
    }

    @Override
    public Estimate estimate(Plan plan, RolloutOptions options) {
        return estimator.estimate(plan, options);
    }

    @Override
    public Rollout cancel(String id, String actor) {
        return lifecycle.cancel(id, actor);
    }

    /** Fails before anything changes when a server's address has no transport. */
    private void requireTransports(List<Server> servers) {
        servers.forEach(server -> transports.transportFor(server.address()));
    }

    /**
     * Fails before anything changes when a server's address has no transport, or one that cannot do what installing
     * {@code release} needs there.
     */
    private void requireCapable(Release release, List<Server> servers) {
        Map<Server, Set<Capability>> offered = new LinkedHashMap<>();
        servers.forEach(server -> offered.put(server, transports.transportFor(server.address()).capabilities()));
        planner.requireCapable(release, offered);
    }

    /**
     * Takes back the servers that earlier lives of this controller left in flight, and checks what they left
     * unfinished; the engine's tick then goes on with it. Nothing read from the database stops the controller from
     * starting: a rollout that cannot be taken up is aborted with the reason, and the others go on.
     */
    private void takeUpUnfinished(String controllerId, String owner) {
        try {
            int taken = repository.expireLeases(controllerId + "/", owner);
            if (taken > 0) {
                LOGGER.info("Took back {} servers an earlier life of controller {} had in flight", taken,
                        controllerId);
            }
        } catch (RuntimeException e) {
            LOGGER.error("Could not take back the servers an earlier life left in flight: they are taken up when"
                    + " their leases expire", e);
        }
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
    }

    @Override
    public Rollout pause(String id, String actor) {
        return lifecycle.pause(id, actor);
    }

    @Override
    public Rollout resume(String id, String actor) {
        return lifecycle.resume(id, actor);
    }

    @Override
    public Rollout retry(String id, String actor) {
        Rollout rollout = require(id);
        if (!rollout.status().isFinal()) {
            throw new FleetupException(FleetupException.ROLLOUT_STATE, "Rollout " + id + " is " + rollout.status()
                    + " and holds its servers: retry it once it has ended; a paused one ends with 'fleet:rollout-cancel "
                    + id + "'.");
        }
        List<String> failed = repository.servers(id).stream()
                .filter(server -> server.state() == StepState.FAILED || server.state() == StepState.ROLLED_BACK)
                .map(RolloutServer::server)
                .toList();
        if (failed.isEmpty()) {
            throw new FleetupException(FleetupException.ROLLOUT_STATE, "No server of rollout " + id + " failed or"
                    + " rolled back: there is nothing to retry.");
        }
        if (failed.stream().anyMatch(PullAgents::isPull)) {
            throw new FleetupException(FleetupException.ROLLOUT_STATE, "Rollout " + id + " brought " + rollout.product()
                    + "/" + rollout.version() + " to pull agents, which come for a release themselves: publish it"
                    + " again with 'fleet:release-schedule " + rollout.product() + "/" + rollout.version() + "'.");
        }
        inventory.audit(actor, "rollout-retry", id + " " + rollout.product() + "/" + rollout.version() + ": "
                + failed.size() + " failed servers as a new rollout");
        return start(new RolloutRequest(rollout.product(), rollout.version(), failed, rollout.parallelism(), null,
                rollout.force(), actor, rollout.options()));
    }

    @Override
    public List<Wave> waves(String id) {
        require(id);
        return repository.waves(id);
    }

    @Override
    public List<StepRecord> history(String id, String server) {
        require(id);
        return repository.history(id, server);
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
    public ScheduledRelease publish(ScheduledRelease release, String actor) {
        return pull().publish(release, actor);
    }

    @Override
    public Turn turn(ScheduledRelease release, String mac) {
        return pull().turn(release, mac);
    }

    @Override
    public void step(ScheduledRelease release, String mac, StepState step, String detail) {
        pull().step(release, mac, step, detail);
    }

    @Override
    public List<PlanEntry> plan(Release release, boolean allowDowngrade) {
        return pull == null ? List.of() : pull.plan(release, allowDowngrade);
    }

    private PullDeployments pull() {
        if (pull == null) {
            throw new IllegalStateException("made without a pull registry");
        }
        return pull;
    }

    @Override
    public AutoCloseable watch(String id, StepListener listener) {
        require(id);
        return tracker.watch(id, listener);
    }

    @Override
    public List<Controller> controllers() {
        return repository.controllers(Instant.now());
    }
}
