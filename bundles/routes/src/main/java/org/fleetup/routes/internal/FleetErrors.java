package org.fleetup.routes.internal;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteConfigurationBuilder;

/**
 * How every route of Fleetup handles an error: logged with its stack trace, never redelivered (a step that may pass
 * is retried by the procedure itself, and a rollout's tick comes again), and given back to a caller waiting for it (an
 * inspection). A server's fault never arrives here: it is an outcome.
 */
final class FleetErrors extends RouteConfigurationBuilder {

    @Override
    public void configuration() {
        routeConfiguration()
            .errorHandler(defaultErrorHandler()
                .maximumRedeliveries(0)
                .logExhausted(true)
                .logStackTrace(true)
                .retriesExhaustedLogLevel(LoggingLevel.ERROR));
    }
}
