package org.fleetup.transport.ssh;

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
 */
public record SshSettings(Duration connectTimeout, Duration authTimeout, Duration idleTimeout, int transferBufferBytes) {

    /** Below this, the SFTP requests' overhead dominates. */
    public static final int MIN_TRANSFER_BUFFER_BYTES = 1024;

    /** OpenSSH's sftp-server refuses messages above 256 KiB, request header included. */
    public static final int MAX_TRANSFER_BUFFER_BYTES = 255 * 1024;

    public SshSettings {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(authTimeout, "authTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        if (transferBufferBytes < MIN_TRANSFER_BUFFER_BYTES || transferBufferBytes > MAX_TRANSFER_BUFFER_BYTES) {
            throw new IllegalArgumentException("transferBufferBytes must be between " + MIN_TRANSFER_BUFFER_BYTES
                    + " and " + MAX_TRANSFER_BUFFER_BYTES + ", not " + transferBufferBytes);
        }
    }

    /** 10 s to connect, 10 s to log in, 5 min of silence at most, 64 KiB SFTP writes. */
    public static SshSettings defaults() {
        return new SshSettings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(5), 64 * 1024);
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, not " + duration);
        }
    }
}
