package org.fleetup.transport.ssh.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of one file transfer: a fixed allowance, plus the time the bytes handed over so far take at the
 * minimum rate. It moves on as the transfer does, so a transfer of N bytes ends within the allowance plus N / rate
 * whether or not its length is known beforehand, and one that stalls early fails early instead of living on the
 * credit of bytes it never sent. Checked on the SSH client's timer (no thread of its own); once missed, it runs its
 * action, which must end a write blocked on a server that stopped reading.
 */
final class TransferDeadline implements AutoCloseable {

    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final ScheduledExecutorService timer;
    private final long allowanceNanos;
    private final long bytesPerSecond;
    private final Runnable onMissed;
    private final long start = System.nanoTime();
    private volatile long sent;
    private volatile boolean missed;
    private ScheduledFuture<?> check;
    private boolean closed;

    TransferDeadline(ScheduledExecutorService timer, Duration allowance, long bytesPerSecond, Runnable onMissed) {
        this.timer = timer;
        this.allowanceNanos = allowance.toNanos();
        this.bytesPerSecond = bytesPerSecond;
        this.onMissed = onMissed;
        schedule(allowanceNanos);
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
        long late = System.nanoTime() - due();
        if (late < 0) {
            schedule(-late);
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            missed = true;
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
