package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** The notifier hears Camel's step events as a started context sends them. */
class StepTimingsTest {

    @Test
    void eachStepOfARouteIsCountedWithItsFailures() throws Exception {
        CamelContext camel = new DefaultCamelContext();
        StepTimings timings = new StepTimings();
        try {
            camel.start();
            camel.getManagementStrategy().addEventNotifier(timings);
            timings.start();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:steps")
                        .step("first").process(exchange -> { }).log("first done").end()
                        .step("second").process(exchange -> {
                            if (exchange.getIn().getBody(Integer.class) % 2 == 1) {
                                throw new IllegalStateException("odd");
                            }
                        }).log("second done").end();
                }
            });
            ProducerTemplate template = camel.createProducerTemplate();
            for (int i = 0; i < 4; i++) {
                try {
                    template.sendBody("direct:steps", i);
                } catch (RuntimeException expected) {
                    // the odd ones fail in the second step
                }
            }

            assertThat(timings.timings()).containsOnlyKeys("first", "second");
            assertThat(timings.timings().get("first").count()).isEqualTo(4);
            assertThat(timings.timings().get("first").failures()).isZero();
            assertThat(timings.timings().get("second").count()).isEqualTo(4);
            assertThat(timings.timings().get("second").failures()).isEqualTo(2);
        } finally {
            camel.stop();
        }
    }
}
