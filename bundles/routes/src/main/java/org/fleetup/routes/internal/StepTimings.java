package org.fleetup.routes.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears the steps of every server's procedure as Camel tells them (the route's {@code step} nodes), and keeps how
 * long each step takes across the fleet: where a rollout's time goes, without a profiler. Only step events.
 */
final class StepTimings extends EventNotifierSupport {

    /** How often a step ran, how long it took in all and at most, and how often it failed. */
    record Timing(long count, long totalMillis, long maxMillis, long failures) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(StepTimings.class);
    private static final String STARTED = "fleetup.stepStarted.";

    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    StepTimings() {
        setIgnoreCamelContextEvents(true);
        setIgnoreCamelContextInitEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        // Step events are exchange events: the category stays on, each other kind of it off.
        setIgnoreExchangeEvents(false);
        setIgnoreExchangeCreatedEvent(true);
        setIgnoreExchangeCompletedEvent(true);
        setIgnoreExchangeFailedEvents(true);
        setIgnoreExchangeRedeliveryEvents(true);
        setIgnoreExchangeSendingEvents(true);
        setIgnoreExchangeSentEvents(true);
        setIgnoreExchangeAsyncProcessingStartedEvents(true);
        setIgnoreStepEvents(false);
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.StepStartedEvent started) {
            started.getExchange().setProperty(STARTED + started.getStepId(), System.nanoTime());
        } else if (event instanceof CamelEvent.StepCompletedEvent completed) {
            tally(completed.getExchange(), completed.getStepId(), false);
        } else if (event instanceof CamelEvent.StepFailedEvent failed) {
            tally(failed.getExchange(), failed.getStepId(), true);
        }
    }

    private void tally(Exchange exchange, String step, boolean failed) {
        Long started = exchange.getProperty(STARTED + step, Long.class);
        if (started == null) {
            return;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        tallies.computeIfAbsent(step, any -> new Tally()).add(millis, failed);
        LOGGER.debug("{} {} in {} ms", step, failed ? "failed" : "ended", millis);
    }

    /** The timings of each step so far, by step id. */
    Map<String, Timing> timings() {
        return tallies.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                entry -> entry.getValue().timing(), (a, b) -> a, TreeMap::new));
    }

    /** One line for the log: each step's count, mean and maximum. */
    String summary() {
        return timings().entrySet().stream()
                .map(entry -> entry.getKey() + " " + entry.getValue().count() + "× mean "
                        + entry.getValue().totalMillis() / Math.max(1, entry.getValue().count()) + " ms, max "
                        + entry.getValue().maxMillis() + " ms"
                        + (entry.getValue().failures() == 0 ? "" : ", " + entry.getValue().failures() + " failed"))
                .collect(Collectors.joining("; "));
    }

    @Override
    protected void doStop() {
        if (!tallies.isEmpty()) {
            LOGGER.info("Steps of the servers' procedures since the start: {}", summary());
        }
    }

    private static final class Tally {
        private final LongAdder count = new LongAdder();
        private final LongAdder total = new LongAdder();
        private final LongAdder failures = new LongAdder();
        private volatile long max;

        void add(long millis, boolean failed) {
            count.increment();
            total.add(millis);
            if (failed) {
                failures.increment();
            }
            synchronized (this) {
                max = Math.max(max, millis);
            }
        }

        Timing timing() {
            return new Timing(count.sum(), total.sum(), max, failures.sum());
        }
    }
}
