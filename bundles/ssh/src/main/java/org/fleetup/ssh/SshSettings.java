package org.fleetup.ssh;

import java.time.Duration;
import java.util.Objects;

/**
 * How the SSH transport connects and transfers.
 *
 * @param connectTimeout how long to wait for the TCP connection to a server
 * @param authTimeout how long the SSH handshake and the key login may take once connected
 * @param idleTimeout how long a server may stay silent before its session is taken for dead and closed; keep-alives
 *        go out every quarter of it, so a live server running a long quiet command is never cut off
 * @param transferBufferBytes bytes per SFTP write request; several are in flight at once
 * @param sessionIdle how long a closed session's connection is kept open for the next session to the same server,
 *        which then costs no handshake; zero opens a new connection for every session
 * @param maxIdleSessions how many such idle connections are kept at most; the oldest is closed beyond it
 * @param transferMinimumBytesPerSecond the slowest a file transfer may go: it must end within {@link #connectTimeout}
 *        plus the time its bytes take at this rate, else it fails and its connection is closed, so that a server
 *        trickling bytes cannot hold a worker without end
 * @param transferBacklogBytes the most of a command's input (an artifact sent to {@code cat}) that an OpenSSH server
 *        may hold which the command has not taken yet; the sender waits beyond it. OpenSSH grows its buffer for that
 *        backlog 32 KiB at a time, copying it whole each time, so a small backlog spares the servers' CPU; a link
 *        with a long round trip needs about its bandwidth times the round trip to stay busy. 0: as much as the
 *        server's window allows (2 MiB with OpenSSH). Other servers get their window whatever this is.
 */
public record SshSettings(Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int transferBufferBytes,
                          Duration sessionIdle, int maxIdleSessions, long transferMinimumBytesPerSecond,
                          int transferBacklogBytes) {

    /** Below this, the SFTP requests' overhead dominates. */
    public static final int MIN_TRANSFER_BUFFER_BYTES = 1024;

    /** OpenSSH's sftp-server refuses messages above 256 KiB, request header included. */
    public static final int MAX_TRANSFER_BUFFER_BYTES = 255 * 1024;

    /**
     * Long enough to carry a server from the plan's inspection to its upgrade when the rollout starts at once: a
     * rollout reaches its servers in turn, the last of 200 at parallelism 50 a minute or two after the plan, the last
     * of 1,000 eleven minutes after it on a slow machine (bench/README.md).
     */
    public static final Duration DEFAULT_SESSION_IDLE = Duration.ofMinutes(15);

    public static final int DEFAULT_MAX_IDLE_SESSIONS = 1024;

    /** 64 KiB/s: a 100 MiB release may take 27 minutes, no more. */
    public static final long DEFAULT_TRANSFER_MINIMUM_BYTES_PER_SECOND = 64 * 1024;

    /**
     * 256 KiB: eight of OpenSSH's packets, which keep a loopback or LAN transfer busy (25 MB/s a transfer still on a
     * 10 ms round trip), where the 2 MiB window had the server's {@code sshd} copy about 40 times what it was sent.
     */
    public static final int DEFAULT_TRANSFER_BACKLOG_BYTES = 256 * 1024;

    public SshSettings {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(authTimeout, "authTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        if (transferBufferBytes < MIN_TRANSFER_BUFFER_BYTES || transferBufferBytes > MAX_TRANSFER_BUFFER_BYTES) {
            throw new IllegalArgumentException("transferBufferBytes must be between " + MIN_TRANSFER_BUFFER_BYTES
                    + " and " + MAX_TRANSFER_BUFFER_BYTES + ", not " + transferBufferBytes);
        }
        Objects.requireNonNull(sessionIdle, "sessionIdle");
        if (sessionIdle.isNegative()) {
            throw new IllegalArgumentException("sessionIdle must be zero (no reuse) or more, not " + sessionIdle);
        }
        if (maxIdleSessions < 1) {
            throw new IllegalArgumentException("maxIdleSessions must be 1 or more, not " + maxIdleSessions
                    + " (a sessionIdle of zero turns reuse off)");
        }
        if (transferMinimumBytesPerSecond < 1) {
            throw new IllegalArgumentException("transferMinimumBytesPerSecond must be 1 or more, not "
                    + transferMinimumBytesPerSecond);
        }
        if (transferBacklogBytes < 0) {
            throw new IllegalArgumentException("transferBacklogBytes must be zero (the server's window) or more, not "
                    + transferBacklogBytes);
        }
    }

    /** These settings, with a server's backlog of {@link #DEFAULT_TRANSFER_BACKLOG_BYTES}. */
    public SshSettings(Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int transferBufferBytes,
                       Duration sessionIdle, int maxIdleSessions, long transferMinimumBytesPerSecond) {
        this(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, sessionIdle, maxIdleSessions,
                transferMinimumBytesPerSecond, DEFAULT_TRANSFER_BACKLOG_BYTES);
    }

    /** These settings, with transfers held to {@link #DEFAULT_TRANSFER_MINIMUM_BYTES_PER_SECOND}. */
    public SshSettings(Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int transferBufferBytes,
                       Duration sessionIdle, int maxIdleSessions) {
        this(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, sessionIdle, maxIdleSessions,
                DEFAULT_TRANSFER_MINIMUM_BYTES_PER_SECOND);
    }

    /**
     * These timeouts and buffer, with connections kept {@link #DEFAULT_SESSION_IDLE} for reuse and transfers held to
     * {@link #DEFAULT_TRANSFER_MINIMUM_BYTES_PER_SECOND}.
     */
    public SshSettings(Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int transferBufferBytes) {
        this(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, DEFAULT_SESSION_IDLE,
                DEFAULT_MAX_IDLE_SESSIONS);
    }

    /**
     * 10 s to connect, 10 s to log in, 5 min of silence at most, 64 KiB SFTP writes, idle connections kept
     * {@link #DEFAULT_SESSION_IDLE}, transfers at 64 KiB/s at least, a server's backlog of
     * {@link #DEFAULT_TRANSFER_BACKLOG_BYTES}.
     */
    public static SshSettings defaults() {
        return new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(5), 64 * 1024);
    }

    /** The same settings with idle connections kept {@code idle} (zero: not at all), {@code max} of them at most. */
    public SshSettings withSessionReuse(Duration idle, int max) {
        return new SshSettings(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, idle, max,
                transferMinimumBytesPerSecond, transferBacklogBytes);
    }

    /** The same settings with transfers failed when slower than {@code bytesPerSecond}. */
    public SshSettings withTransferMinimumRate(long bytesPerSecond) {
        return new SshSettings(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, sessionIdle,
                maxIdleSessions, bytesPerSecond, transferBacklogBytes);
    }

    /** The same settings with an OpenSSH server's backlog of {@code bytes} at most (0: its window). */
    public SshSettings withTransferBacklog(int bytes) {
        return new SshSettings(connectTimeout, authTimeout, idleTimeout, transferBufferBytes, sessionIdle,
                maxIdleSessions, transferMinimumBytesPerSecond, bytes);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }
}
