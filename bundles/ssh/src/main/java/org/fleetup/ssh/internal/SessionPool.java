package org.fleetup.ssh.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.future.SshFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticated connections whose session was closed, kept open a while so that the next session to the same server
 * skips the handshake (its public-key operations are most of a connection's CPU). A kept connection is handed to one
 * taker only; it leaves the pool when it expires, when the pool is over capacity and it is the oldest, when the
 * server closes it, or when the pool closes. Expiry runs on the timer the SSH client already has: no thread of its
 * own.
 */
final class SessionPool implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(SessionPool.class);

    private final ScheduledExecutorService timer;
    private final Duration idleTime;
    private final int capacity;
    private final Duration closeWait;
    private final Map<ConnectionKey, Deque<Idle>> byKey = new HashMap<>();
    private final Set<Idle> byAge = new LinkedHashSet<>();
    private boolean closed;

    /**
     * @param idleTime how long a connection is kept; zero keeps none
     * @param closeWait how long a session's closing may wait for a connection that is not kept to close cleanly
     */
    SessionPool(ScheduledExecutorService timer, Duration idleTime, int capacity, Duration closeWait) {
        this.timer = timer;
        this.idleTime = idleTime;
        this.capacity = capacity;
        this.closeWait = closeWait;
    }

    /** The most recently kept connection for {@code key} that is still open, now the caller's alone. */
    Optional<ClientSession> take(ConnectionKey key) {
        for (Idle idle = poll(key); idle != null; idle = poll(key)) {
            idle.leave();
            if (isUsable(idle.connection)) {
                return Optional.of(idle.connection);
            }
            idle.connection.close(true);
        }
        return Optional.empty();
    }

    /**
     * Takes back the connection of a session that ended: kept for the next session to the same server when
     * {@code reusable} (its work did not fail on the connection itself) and it is still open, else closed.
     */
    void giveBack(ConnectionKey key, ClientSession connection, boolean reusable) {
        if (!reusable || idleTime.isZero() || !isUsable(connection)) {
            closeAndWait(connection);
            return;
        }
        Idle kept = new Idle(key, connection);
        List<Idle> evicted = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                evicted.add(kept);
            } else {
                byKey.computeIfAbsent(key, k -> new ArrayDeque<>()).addLast(kept);
                byAge.add(kept);
                while (byAge.size() > capacity) {
                    Idle oldest = byAge.iterator().next();
                    remove(oldest);
                    evicted.add(oldest);
                }
                kept.expiry = schedule(kept);
            }
        }
        if (!evicted.contains(kept)) {
            // A connection the server closes while kept leaves at once rather than at its expiry.
            connection.addCloseFutureListener(kept);
        }
        evicted.forEach(Idle::discard);
    }

    /** How many connections are kept now. */
    synchronized int size() {
        return byAge.size();
    }

    /** Closes every kept connection; a connection given back later is closed at once. */
    @Override
    public void close() {
        List<Idle> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(byAge);
            byAge.clear();
            byKey.clear();
        }
        all.forEach(Idle::discard);
    }

    private synchronized Idle poll(ConnectionKey key) {
        Deque<Idle> idles = byKey.get(key);
        Idle latest = idles == null ? null : idles.pollLast();
        if (latest != null) {
            byAge.remove(latest);
            if (idles.isEmpty()) {
                byKey.remove(key);
            }
        }
        return latest;
    }

    /** Removes {@code idle} if it is still kept; true when it was. */
    private synchronized boolean remove(Idle idle) {
        if (!byAge.remove(idle)) {
            return false;
        }
        Deque<Idle> idles = byKey.get(idle.key);
        idles.remove(idle);
        if (idles.isEmpty()) {
            byKey.remove(idle.key);
        }
        return true;
    }

    private ScheduledFuture<?> schedule(Idle idle) {
        try {
            return timer.schedule(() -> {
                if (remove(idle)) {
                    LOGGER.debug("Closing the connection to {}, idle for {}", idle.key.server(), idleTime);
                    idle.discard();
                }
            }, idleTime.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // The client is stopping, and closes the connection itself.
            return null;
        }
    }

    private void closeAndWait(ClientSession connection) {
        try {
            if (!connection.close(false).await(closeWait)) {
                connection.close(true);
            }
        } catch (IOException e) {
            connection.close(true);
        }
    }

    private static boolean isUsable(ClientSession connection) {
        return connection.isOpen() && !connection.isClosing();
    }

    /** One kept connection; also the listener that drops it from the pool when it closes. */
    private final class Idle implements SshFutureListener<CloseFuture> {

        private final ConnectionKey key;
        private final ClientSession connection;
        private ScheduledFuture<?> expiry;

        Idle(ConnectionKey key, ClientSession connection) {
            this.key = key;
            this.connection = connection;
        }

        @Override
        public void operationComplete(CloseFuture future) {
            if (remove(this)) {
                LOGGER.debug("The idle connection to {} was closed", key.server());
                stopExpiry();
            }
        }

        /** Out of the pool and into a caller's hands: nothing of the pool acts on it any more. */
        void leave() {
            stopExpiry();
            connection.removeCloseFutureListener(this);
        }

        /** Out of the pool for good: closed without waiting, which may be on the client's timer thread. */
        void discard() {
            leave();
            connection.close(false);
        }

        private void stopExpiry() {
            ScheduledFuture<?> scheduled;
            synchronized (SessionPool.this) {
                scheduled = expiry;
            }
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
