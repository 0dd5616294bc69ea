package org.fleetup.upgrade;

import java.time.Instant;
import java.util.Objects;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Tells a listener every step of one server's upgrade, makes the outcome that ends it, and names the server and the
 * rollout in each line logged meanwhile. Every transport's procedure reports through one, so that a server's end is
 * logged the same way whichever transport reached it, and a listener's failure other than a lost lease never stops an
 * upgrade half-way.
 */
public final class StepReporter {

    private static final Logger LOGGER = LoggerFactory.getLogger(StepReporter.class);

    /** Progress is told at most every 5 % of the artifact, and never more often than every 256 KiB. */
    private static final int PROGRESS_STEPS = 20;
    private static final long MIN_PROGRESS_BYTES = 256 * 1024;

    private final String rollout;
    private final String server;
    private final StepListener listener;

    public StepReporter(String rollout, String server, StepListener listener) {
        this.rollout = rollout;
        this.server = Objects.requireNonNull(server, "server");
        this.listener = listener == null ? event -> { } : listener;
    }

    public String server() {
        return server;
    }

    public void step(StepState state, String detail) {
        // Every step is in the rollout's history (fleet:rollout-status ID --history, the REST API): the log says how
        // each server ended, and its steps only at DEBUG (eight lines a server took a tenth of a large rollout's
        // workers' time). A reconnection is a sign of trouble, worth a line of its own.
        if (state == StepState.RECONNECTING) {
            LOGGER.info("{} on {}: {}: {}", rollout, server, state, detail);
        } else {
            LOGGER.debug("{} on {}: {}: {}", rollout, server, state, detail);
        }
        tell(StepEvent.of(rollout, server, state, detail));
    }

    /**
     * A fresh progress counter for one transfer of {@code total} bytes: it tells the first and last byte counts, and
     * the ones between no more often than the throttle allows.
     */
    public LongConsumer transferProgress(String detail, long total) {
        long every = Math.max(total / PROGRESS_STEPS, MIN_PROGRESS_BYTES);
        return new LongConsumer() {
            private long told = -1;

            @Override
            public void accept(long done) {
                if (told < 0 || done >= total || done - told >= every) {
                    told = done;
                    tell(new StepEvent(rollout, server, StepState.TRANSFERRING, detail, done, total, Instant.now()));
                }
            }
        };
    }

    /**
     * Runs {@code work} with the server and the rollout in the log's context (the MDC keys {@code server} and
     * {@code rollout}), so that what it logs can be told apart from the other servers' lines.
     */
    public void logged(Runnable work) {
        logged(() -> {
            work.run();
            return null;
        });
    }

    public <T> T logged(Supplier<T> work) {
        MDC.put("server", server);
        MDC.put("rollout", String.valueOf(rollout));
        try {
            return work.get();
        } finally {
            MDC.remove("server");
            MDC.remove("rollout");
        }
    }

    /** Tells the final step and returns it as the outcome. */
    public ServerOutcome finish(StepState state, String from, String to, String detail) {
        if (state == StepState.DONE || state == StepState.SKIPPED) {
            LOGGER.info("{} on {}: {}: {}", rollout, server, state, detail);
        } else {
            LOGGER.warn("{} on {}: {}: {}", rollout, server, state, detail);
        }
        tell(StepEvent.of(rollout, server, state, detail));
        return new ServerOutcome(server, state, from, to, detail);
    }

    /**
     * A lost lease (another controller owns the server, or this one is stopping) stops the upgrade at once, even in
     * the middle of a transfer; any other failure of the listener must not stop it half-way: the server's state
     * matters more than one event.
     */
    private void tell(StepEvent event) {
        try {
            listener.onStep(event);
        } catch (RuntimeException e) {
            if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                throw e;
            }
            LOGGER.warn("A step listener failed on {} of {}; the upgrade goes on", event.state(), server, e);
        }
    }
}
