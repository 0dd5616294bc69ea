package org.fleetup.routes.internal;

import java.util.ArrayList;
import java.util.concurrent.ExecutorService;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.AggregationStrategies;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.fleetup.api.upgrade.Procedure;

/**
 * The flow of Fleetup as Camel routes: inspection fanned out over the servers; the rollout engine's tick; and the
 * per-server action on its own bounded set of workers, so that inspection and planning never wait behind a rollout.
 * The routes say what happens; the work is in {@link InspectionSteps}, {@link RolloutEngine} and
 * {@link ActionWorker}. Their errors are handled as {@link FleetErrors} says.
 */
final class FleetRoutes extends RouteBuilder {

    static final String INSPECT = "direct:fleet-inspect";

    /** The log of the servers' steps, by the action route. */
    private static final String LOG = "org.fleetup.routes.steps";

    private final InspectionSteps inspection;
    private final ExecutorService serverPool;
    private final RolloutEngine engine;
    private final ActionWorker worker;
    private final long tickMillis;
    private final int workers;

    FleetRoutes(InspectionSteps inspection, ExecutorService serverPool, RolloutEngine engine, ActionWorker worker,
                long tickMillis, int workers) {
        this.inspection = inspection;
        this.serverPool = serverPool;
        this.engine = engine;
        this.worker = worker;
        this.tickMillis = tickMillis;
        this.workers = workers;
    }

    /**
     * The queue of claimed actions: as long as there are workers, since the tick claims only what free workers can
     * take, so that handing an action over never waits.
     */
    static String actions(int workers) {
        return "seda:fleet-action?size=" + Math.max(1, workers) + "&concurrentConsumers=" + Math.max(1, workers);
    }

    /** Gathers the bodies of a split back into a list. */
    private static AggregationStrategy inOrder() {
        return AggregationStrategies.flexible().accumulateInCollection(ArrayList.class);
    }

    @Override
    public void configure() {
        // Not streaming: the results come back in the order of the servers, whatever order they finish in.
        from(INSPECT).routeId("fleet-inspect")
            .split(body(), inOrder()).parallelProcessing().executorService(serverPool)
                .bean(inspection, "inspect").id("inspect-server")
            .end();

        from("timer:fleet-rollout-tick?period=" + tickMillis + "&delay=0").routeId("fleet-rollout-tick")
            .bean(engine, "tick").id("rollout-tick");

        // The per-server procedure: a node per step, each a Camel step (its events timed by StepTimings). A step that
        // throws is retried or ends the procedure as FleetErrors says, and the route goes on to the next node, which
        // then has nothing to do: the outcome is written at the end whatever happened.
        RouteDefinition action = from(actions(workers)).routeId("fleet-action")
            .process(worker::begin).id("begin");
        for (Procedure.Step step : Procedure.Step.values()) {
            // The log node is cheap when its level is off, and a step of a single node would send no step events.
            action.step(step.id())
                    .process(exchange -> worker.run(exchange, step))
                    .log(LoggingLevel.DEBUG, LOG, step.id() + " done on ${exchangeProperty." + ActionWorker.SERVER + "}")
                .end();
        }
        action.process(worker::finish).id("finish");
    }
}
