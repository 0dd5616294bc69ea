package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

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
            camel.addRoutes(new FleetRoutes(new InspectionSteps(null, null),
                    new RolloutSteps(null, null, null, null, null, null), Executors.newFixedThreadPool(2)));
            camel.start();
            assertThat(camel.getRoutes()).extracting(Route::getRouteId)
                    .containsExactlyInAnyOrder("fleet-inspect", "fleet-rollout", "fleet-upgrade-server");
        } finally {
            camel.stop();
        }
    }
}
