package org.fleetup.routes.internal;

import java.util.concurrent.ExecutorService;

import java.util.ArrayList;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.builder.AggregationStrategies;
import org.apache.camel.builder.RouteBuilder;

/**
 * The flow of Fleetup as Camel routes: inspection, comparison and upgrade fanned out over the servers. The routes say
 * what happens; the work is in {@link InspectionSteps} and {@link RolloutSteps}.
 */
final class FleetRoutes extends RouteBuilder {

    static final String INSPECT = "direct:fleet-inspect";
    static final String ROLLOUT = "direct:fleet-rollout";
    static final String UPGRADE_SERVER = "direct:fleet-upgrade-server";

    private final InspectionSteps inspection;
    private final RolloutSteps rollout;
    private final ExecutorService serverPool;

    FleetRoutes(InspectionSteps inspection, RolloutSteps rollout, ExecutorService serverPool) {
        this.inspection = inspection;
        this.rollout = rollout;
        this.serverPool = serverPool;
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

        from(ROLLOUT).routeId("fleet-rollout")
            .bean(rollout, "begin").id("rollout-begin")
            .split(body(), inOrder()).parallelProcessing().executorService(serverPool)
                .to(UPGRADE_SERVER).id("upgrade-server")
            .end()
            .bean(rollout, "finish").id("rollout-finish");

        from(UPGRADE_SERVER).routeId("fleet-upgrade-server")
            .bean(rollout, "upgrade").id("upgrade");
    }
}
