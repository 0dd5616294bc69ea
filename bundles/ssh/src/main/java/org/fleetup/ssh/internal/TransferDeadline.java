package org.fleetup.ssh.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The deadline of one file transfer: a fixed allowance, plus the time the bytes handed over so far take at the
 * minimum rate. It moves on as the transfer does, so a transfer of N bytes ends within the allowance plus N / rate
 * whether or not its length is known beforehand, and one that stalls early fails early instead of living on the
 * credit of bytes it never sent. Checked on the SSH client's timer (no thread of its own); once missed, it runs its
 * action, which must end a write blocked on a server that stopped reading. A transfer found abandoned (its channel
 * closed by the server) that has not noticed it within a second is ended the same way, not missed.
 */
final class TransferDeadline implements AutoCloseable {

    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);
    /** How often it looks whether the transfer was abandoned, and how long it then gives it to notice by itself. */
    private static final long LOOK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ScheduledExecutorService timer;
    private final long allowanceNanos;
    private final long bytesPerSecond;
    private final BooleanSupplier abandoned;
    private final Runnable onMissed;
    private final long start = System.nanoTime();
    private volatile long sent;
    private volatile boolean missed;
    private boolean abandonedSeen;
    private long abandonedSince;
    private ScheduledFuture<?> check;
    private boolean closed;

    TransferDeadline(ScheduledExecutorService timer, Duration allowance, long bytesPerSecond, Runnable onMissed) {
        this(timer, allowance, bytesPerSecond, () -> false, onMissed);
    }

    /** @param abandoned whether the transfer has no one at the other end any more: then it ends at once */
    TransferDeadline(ScheduledExecutorService timer, Duration allowance, long bytesPerSecond,
                     BooleanSupplier abandoned, Runnable onMissed) {
        this.timer = timer;
        this.allowanceNanos = allowance.toNanos();
        this.bytesPerSecond = bytesPerSecond;
        this.abandoned = abandoned;
        this.onMissed = onMissed;
        schedule(Math.min(allowanceNanos, LOOK_NANOS));
    }

    /** @param bytes how many bytes of this transfer were handed over so far */
    void sent(long bytes) {
        sent = bytes;
    }

    boolean missed() {
        return missed;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (check != null) {
            check.cancel(false);
        }
    }

    private void check() {
        long now = System.nanoTime();
        boolean gone = abandoned.getAsBoolean();
        if (gone && !abandonedSeen) {
            abandonedSeen = true;
            // The transfer usually notices by itself at once: it is ended only if it did not within the grace.
            abandonedSince = now;
        }
        long late = now - due();
        boolean given = gone && now - abandonedSince >= GRACE_NANOS;
        if (late < 0 && !given) {
            schedule(Math.min(-late, LOOK_NANOS));
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            missed = !given;
        }
        onMissed.run();
    }

    private long due() {
        double credit = Math.min(Long.MAX_VALUE / 4.0, sent * NANOS_PER_SECOND / bytesPerSecond);
        return start + allowanceNanos + (long) credit;
    }

    private synchronized void schedule(long delayNanos) {
        if (closed) {
            return;
        }
        try {
            check = timer.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The client is stopping, and closes the connection, which ends the transfer.
            check = null;
        }
    }
}
