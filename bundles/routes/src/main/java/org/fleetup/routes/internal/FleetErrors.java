package org.fleetup.routes.internal;

import java.time.Duration;

import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Predicate;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.fleetup.api.FleetupException;

/**
 * How every route of Fleetup handles an error, in one place. A step of a server's procedure that cannot reach its
 * server ({@code connect}, {@code reconnect}), or finds no transport for its scheme, is delivered again with back-off,
 * on a timer rather than on a parked worker; any other failure of a step, or one that stays unreachable, ends that server's procedure with the reason and
 * the route goes on to write the outcome: a server's fault is never an error of the route. Anything else is logged
 * with its stack trace, never redelivered, and given back to a caller waiting for it (an inspection).
 */
final class FleetErrors extends RouteConfigurationBuilder {

    /**
     * How a step that cannot reach its server is tried again.
     *
     * @param retries how many times after the first failure
     * @param firstDelay the wait before the first retry, doubled for each next one
     */
    record Retries(int retries, Duration firstDelay) {
    }

    private final ActionWorker worker;
    private final Retries unreachable;

    FleetErrors(ActionWorker worker, Retries unreachable) {
        this.worker = worker;
        this.unreachable = unreachable;
    }

    @Override
    public void configuration() {
        RouteConfigurationDefinition errors = routeConfiguration();
        errors.errorHandler(defaultErrorHandler()
                .maximumRedeliveries(0)
                .logExhausted(true)
                .logStackTrace(true)
                .retriesExhaustedLogLevel(LoggingLevel.ERROR));
        errors.onException(FleetupException.class)
                .onWhen(FleetErrors::unreachable)
                .maximumRedeliveries(unreachable.retries())
                .redeliveryDelay(unreachable.firstDelay().toMillis())
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .asyncDelayedRedelivery()
                .retryAttemptedLogLevel(LoggingLevel.INFO)
                .retriesExhaustedLogLevel(LoggingLevel.WARN)
                .logExhaustedMessageHistory(false)
                .logStackTrace(false)
                .continued(true)
                .process(worker::failed).id("unreachable");
        errors.onException(Exception.class)
                .onWhen(inStep())
                .logExhausted(false)
                .continued(true)
                .process(worker::failed).id("step-failed");
    }

    /** The exchange carries a server's procedure: its errors are the server's outcome. */
    private static Predicate inStep() {
        return exchange -> exchange.getProperty(ActionWorker.WORK) != null;
    }

    /**
     * A step could not reach its server (only opening a connection says so: connect, reconnect): it may pass later.
     * So may one that found no transport for the server's scheme: a transport replaced by a new version (its bundle
     * updated in deploy/) is unregistered for a moment before the new one comes, and a server of a running rollout
     * connecting then goes on with the new one. A transport gone for good still fails the server with the reason
     * once the retries are spent; a plan or a rollout that starts without one is refused before anything runs.
     * Every step is safe to run again.
     */
    private static boolean unreachable(Exchange exchange) {
        return exchange.getProperty(ActionWorker.WORK) != null
                && (FleetupException.hasCode(exchange.getException(), FleetupException.SERVER_UNREACHABLE)
                || FleetupException.hasCode(exchange.getException(), FleetupException.TRANSPORT_MISSING));
    }
}
