package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Executors;

import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

class FleetRoutesTest {

    @Test
    void routesHaveTheirIds() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        try {
            // An engine never handed a dispatcher ticks without touching anything.
            RolloutEngine engine = new RolloutEngine(null, null, null, "test/1", Duration.ofSeconds(1), 2);
            ActionWorker worker = new ActionWorker(null, null, null, null, null, engine, null, Duration.ofSeconds(1));
            camel.addRoutes(new FleetErrors(worker, new FleetErrors.Retries(0, Duration.ZERO)));
            camel.addRoutes(new FleetRoutes(new InspectionSteps(null, null), Executors.newFixedThreadPool(2), engine,
                    worker, 1000, 2));
            camel.start();
            assertThat(camel.getRoutes()).extracting(Route::getRouteId)
                    .containsExactlyInAnyOrder("fleet-inspect", "fleet-rollout-tick", "fleet-action");
        } finally {
            camel.stop();
        }
    }
}
