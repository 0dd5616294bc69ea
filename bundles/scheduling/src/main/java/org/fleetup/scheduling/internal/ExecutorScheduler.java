package org.fleetup.scheduling.internal;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.Scheduler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work now or at a set time on a pool of its own. What is waiting lives in memory only: whoever schedules keeps
 * what must survive a restart (the rollouts are in the inventory) and schedules it again.
 */
@Component(service = Scheduler.class, configurationPid = ExecutorScheduler.PID)
@Designate(ocd = ExecutorScheduler.Config.class)
public final class ExecutorScheduler implements Scheduler {

    static final String PID = "org.fleetup.scheduling";

    private static final Logger LOGGER = LoggerFactory.getLogger(ExecutorScheduler.class);

    /**
     * The longest a timer is set for: a delay in nanoseconds overflows 292 years ahead, and a timer set weeks ahead
     * drifts from the wall clock (a stepped clock, a suspended machine). Further than this, the task waits this long
     * and looks at the clock again.
     */
    private static final Duration LONGEST_WAIT = Duration.ofHours(1);

    /** How long deactivation waits for running work to end before interrupting it. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    @ObjectClassDefinition(name = "Fleetup scheduling", description = "When rollouts start")
    public @interface Config {

        @AttributeDefinition(description = "The time a rollout starts when none is given: now, a time of day"
                + " (03:00), a local date-time (2026-12-01T03:00) or an instant (2026-12-01T03:00:00Z)")
        String defaultTime() default "now";

        @AttributeDefinition(description = "The zone times of day and local date-times are read in, such as"
                + " Europe/Paris or UTC; empty for the controller's system zone")
        String zone() default "";

        @AttributeDefinition(min = "1", description = "How many scheduled tasks can run at once; a task that runs"
                + " a whole rollout holds one for as long as it runs")
        int threads() default 4;

        @AttributeDefinition(min = "1", description = "How many days ahead a rollout may be set to start; a time"
                + " further ahead is refused as the likely typo it is (2400 for 2026)")
        int maxDaysAhead() default 366;
    }

    private final OperatorTime time;
    private final String defaultTime;
    private final Clock clock;
    private final Duration longestWait;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    @Activate
    public ExecutorScheduler(Config config) {
        this(Clock.system(zone(config.zone())), config.defaultTime(), config.threads(), config.maxDaysAhead(),
                LONGEST_WAIT);
    }

    ExecutorScheduler(Clock clock, String defaultTime, int threads) {
        this(clock, defaultTime, threads, 366, LONGEST_WAIT);
    }

    /**
     * @param clock the present, in the zone operators' times are read in
     * @param longestWait the longest a timer is set for before the clock is looked at again
     */
    ExecutorScheduler(Clock clock, String defaultTime, int threads, int maxDaysAhead, Duration longestWait) {
        this.clock = clock;
        this.time = new OperatorTime(clock, maxDaysAhead);
        this.longestWait = longestWait;
        this.defaultTime = defaultTime == null || defaultTime.isBlank() ? "now" : defaultTime;
        // Only its form: a default date-time that has passed is told when a rollout would take it, not at start.
        time.parse(this.defaultTime);
        this.executor = new ScheduledThreadPoolExecutor(threads, threadFactory());
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        LOGGER.info("Scheduler started: times in {}, default time {}, at most {} days ahead", time.zone(),
                this.defaultTime, maxDaysAhead);
    }

    private static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.systemDefault();
        }
        try {
            return ZoneId.of(zone.strip());
        } catch (DateTimeException e) {
            throw new FleetupException(FleetupException.TIME_INVALID, "zone '" + zone + "' of org.fleetup.scheduling"
                    + " is not a time zone. Write a region such as Europe/Paris, an offset such as +01:00, or UTC.",
                    e);
        }
    }

    private static ThreadFactory threadFactory() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "fleetup-scheduler-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Deactivate
    public void stop() {
        int dropped = pending.size();
        pending.clear();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOGGER.warn("Scheduled work still running after {}s; interrupting it", STOP_GRACE.toSeconds());
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOGGER.info("Scheduler stopped; {} task(s) that were waiting will not run", dropped);
    }

    @Override
    public Instant resolve(String when) {
        return when == null || when.isBlank()
                ? time.resolve(defaultTime, "defaultTime of " + PID)
                : time.resolve(when, null);
    }

    @Override
    public Instant requireSchedulable(Instant at) {
        return time.check(Objects.requireNonNull(at, "at"));
    }

    @Override
    public ZoneId zone() {
        return time.zone();
    }

    @Override
    public void schedule(String id, Instant at, Runnable task) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(task, "task");
        pending.compute(id, (key, earlier) -> {
            if (earlier != null && earlier.claim()) {
                earlier.future().cancel(false);
                LOGGER.info("Task {} rescheduled to {}", id, at);
            }
            Pending next = new Pending(at, task);
            arm(id, next);
            return next;
        });
        LOGGER.debug("Task {} scheduled for {}", id, at);
    }

    /** Sets the timer of a waiting task: for its time, or for the longest wait when that is further. */
    private void arm(String id, Pending waiting) {
        Instant now = clock.instant();
        if (!waiting.at().isAfter(now)) {
            waiting.future = executor.schedule(() -> run(id, waiting), 0, TimeUnit.NANOSECONDS);
        } else if (waiting.at().isAfter(now.plus(longestWait))) {
            waiting.future = executor.schedule(() -> rearm(id, waiting), longestWait.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            waiting.future = executor.schedule(() -> run(id, waiting), Duration.between(now, waiting.at()).toNanos(),
                    TimeUnit.NANOSECONDS);
        }
    }

    /** Sets the timer again, unless the task was cancelled or replaced meanwhile. */
    private void rearm(String id, Pending waiting) {
        pending.computeIfPresent(id, (key, current) -> {
            if (current == waiting) {
                arm(id, waiting);
            }
            return current;
        });
    }

    @Override
    public boolean cancel(String id) {
        Pending cancelled = pending.remove(id);
        boolean wasWaiting = cancelled != null && cancelled.claim();
        if (wasWaiting) {
            cancelled.future().cancel(false);
            LOGGER.info("Task {} cancelled", id);
        }
        return wasWaiting;
    }

    private void run(String id, Pending self) {
        pending.remove(id, self);
        if (!self.claim()) {
            return;
        }
        try {
            self.task().run();
        } catch (RuntimeException e) {
            LOGGER.error("Scheduled task {} failed", id, e);
        } catch (Error e) {
            LOGGER.error("Scheduled task {} failed", id, e);
            throw e;
        }
    }

    /**
     * A task waiting for its time. Its timer is set while the map holds the id's lock, before it can fire; whoever
     * claims it first, the timer or a cancel, decides whether it runs.
     */
    private static final class Pending {

        private final Instant at;
        private final Runnable task;
        private final AtomicBoolean claimed = new AtomicBoolean();
        private volatile ScheduledFuture<?> future;

        Pending(Instant at, Runnable task) {
            this.at = at;
            this.task = task;
        }

        Instant at() {
            return at;
        }

        Runnable task() {
            return task;
        }

        ScheduledFuture<?> future() {
            return future;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }
    }
}
