package org.fleetup.scheduling.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static final Duration AHEAD = Duration.ofMillis(200);
    /** Timers may fire a little early by the clock's granularity; never by more. */
    private static final Duration TOLERANCE = Duration.ofMillis(15);

    private final ExecutorScheduler scheduler = new ExecutorScheduler(Clock.systemUTC(), "now", 1);

    @AfterEach
    void stop() {
        scheduler.stop();
    }

    @Test
    void aTaskRunsAtItsTimeAndNotBefore() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        AtomicLong ranAt = new AtomicLong();
        long scheduledAt = System.nanoTime();

        scheduler.schedule("r1", Instant.now().plus(AHEAD), () -> {
            ranAt.set(System.nanoTime());
            ran.countDown();
        });

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(ranAt.get() - scheduledAt)).isGreaterThanOrEqualTo(AHEAD.minus(TOLERANCE));
    }

    @Test
    void aTaskWhoseTimeIsPastRunsAtOnceOnASchedulerThread() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        AtomicReference<Thread> thread = new AtomicReference<>();

        scheduler.schedule("r1", Instant.now().minusSeconds(3600), () -> {
            thread.set(Thread.currentThread());
            ran.countDown();
        });

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thread.get().getName()).startsWith("fleetup-scheduler-");
        assertThat(thread.get().isDaemon()).isTrue();
    }

    @Test
    void aSecondTaskOfTheSameIdReplacesTheFirst() throws InterruptedException {
        AtomicBoolean firstRan = new AtomicBoolean();
        CountDownLatch secondRan = new CountDownLatch(1);
        CountDownLatch later = new CountDownLatch(1);
        scheduler.schedule("r1", Instant.now().plus(AHEAD), () -> firstRan.set(true));

        scheduler.schedule("r1", Instant.now().plusMillis(50), secondRan::countDown);
        scheduler.schedule("marker", Instant.now().plus(AHEAD.multipliedBy(2)), later::countDown);

        assertThat(secondRan.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(firstRan).isFalse();
    }

    @Test
    void aCancelledTaskDoesNotRun() throws InterruptedException {
        AtomicBoolean ran = new AtomicBoolean();
        CountDownLatch later = new CountDownLatch(1);
        scheduler.schedule("r1", Instant.now().plus(AHEAD), () -> ran.set(true));

        assertThat(scheduler.cancel("r1")).isTrue();
        scheduler.schedule("marker", Instant.now().plus(AHEAD.multipliedBy(2)), later::countDown);

        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isFalse();
        assertThat(scheduler.cancel("r1")).isFalse();
    }

    @Test
    void cancelTellsThatATaskThatRanOrNeverWasIsNotWaiting() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);
        scheduler.schedule("r1", Instant.now(), ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> !scheduler.cancel("r1"));
        assertThat(scheduler.cancel("never-scheduled")).isFalse();
    }

    @Test
    void aTaskThatThrowsIsLoggedAndTheNextOneStillRuns() throws InterruptedException {
        PrintStream stderr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        try {
            CountDownLatch next = new CountDownLatch(1);
            scheduler.schedule("broken", Instant.now(), () -> {
                throw new IllegalStateException("disk on fire");
            });
            scheduler.schedule("next", Instant.now().plusMillis(20), next::countDown);

            assertThat(next.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            System.setErr(stderr);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("broken").contains("disk on fire");
    }

    @Test
    void aTaskCenturiesAheadWaitsWithoutOverflowAndCanBeCancelled() throws InterruptedException {
        AtomicBoolean ran = new AtomicBoolean();
        CountDownLatch later = new CountDownLatch(1);

        scheduler.schedule("far", Instant.parse("2400-01-01T00:00:00Z"), () -> ran.set(true));
        scheduler.schedule("end-of-time", Instant.MAX, () -> ran.set(true));
        scheduler.schedule("marker", Instant.now().plusMillis(50), later::countDown);

        assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).isFalse();
        assertThat(scheduler.cancel("far")).isTrue();
        assertThat(scheduler.cancel("end-of-time")).isTrue();
    }

    @Test
    void aTaskLongBeforeTheBeginningOfTimeRunsAtOnce() throws InterruptedException {
        CountDownLatch ran = new CountDownLatch(1);

        scheduler.schedule("ancient", Instant.MIN, ran::countDown);

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aTaskFurtherThanOneWaitLooksAtTheClockAgainAndRunsAtItsTime() throws InterruptedException {
        ExecutorScheduler rearming = new ExecutorScheduler(Clock.systemUTC(), "now", 1, 366, Duration.ofMillis(40));
        try {
            CountDownLatch ran = new CountDownLatch(1);
            AtomicLong ranAt = new AtomicLong();
            Duration ahead = Duration.ofMillis(300);
            long scheduledAt = System.nanoTime();

            rearming.schedule("r1", Instant.now().plus(ahead), () -> {
                ranAt.set(System.nanoTime());
                ran.countDown();
            });

            assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(ranAt.get() - scheduledAt)).isGreaterThanOrEqualTo(ahead.minus(TOLERANCE));
        } finally {
            rearming.stop();
        }
    }

    @Test
    void aTaskCancelledBetweenTwoWaitsDoesNotRun() throws InterruptedException {
        ExecutorScheduler rearming = new ExecutorScheduler(Clock.systemUTC(), "now", 1, 366, Duration.ofMillis(20));
        try {
            AtomicBoolean ran = new AtomicBoolean();
            CountDownLatch later = new CountDownLatch(1);
            rearming.schedule("r1", Instant.now().plusMillis(400), () -> ran.set(true));
            CountDownLatch fewWaits = new CountDownLatch(1);
            rearming.schedule("pause", Instant.now().plusMillis(100), fewWaits::countDown);
            assertThat(fewWaits.await(5, TimeUnit.SECONDS)).isTrue();

            assertThat(rearming.cancel("r1")).isTrue();
            rearming.schedule("marker", Instant.now().plusMillis(600), later::countDown);

            assertThat(later.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).isFalse();
            assertThat(rearming.cancel("r1")).isFalse();
        } finally {
            rearming.stop();
        }
    }

    @Test
    void stoppingDropsWaitingTasksWithoutWaitingForThem() {
        AtomicBoolean ran = new AtomicBoolean();
        scheduler.schedule("r1", Instant.now().plusSeconds(3600), () -> ran.set(true));
        long start = System.nanoTime();

        scheduler.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(scheduler.cancel("r1")).isFalse();
        assertThat(ran).isFalse();
    }
}
