package org.fleetup.api.simulator;

/** What can be wrong with a simulated server, or what it lacks. */
public enum Fault {
    /**
     * Writes fail once the root holds a little more than at start: over SFTP with "no space left on device"; a file
     * written by a command stops at that size, the command killed by the kernel's file size limit (SIGXFSZ).
     */
    DISK_FULL,
    /** The connection drops in the middle of a file transfer, by SFTP or as a command's input. */
    DROP_CONNECTION,
    /** Every connection is closed as soon as it is accepted. */
    REFUSE_CONNECTIONS,
    /**
     * The health command of any release but the one the server started with fails: the demo application's launcher
     * prints why on stderr and exits 1 (read from {@code <root>/.sim/health.sh}).
     */
    HEALTH_FAILS,
    /** The health command of any release but the one the server started with never returns. */
    HEALTH_HANGS,
    /** The connection drops (every session closed) right after {@code current} first points elsewhere. */
    DROP_AFTER_SWITCH,
    /**
     * Switching back fails: the health command of a new release fails (as {@link #HEALTH_FAILS}) and leaves the
     * product's directory unwritable, so that {@code current} can no longer be replaced.
     */
    ROLLBACK_FAILS,
    /**
     * A busy marker, {@code <root>/demo-app/.busy} (where the demo application's profile looks by default), exists
     * from the start for a while (the simulator's {@code busySeconds}), then disappears.
     */
    BUSY,
    /** The releases directory, {@code <root>/demo-app/releases}, cannot be written (made there when missing). */
    READ_ONLY,
    /**
     * The first bytes sent to the server (a file over SFTP, or a command's input) land corrupted once (one byte
     * changed): a second send arrives intact.
     */
    CORRUPT_TRANSFER,
    /** Accepts TCP connections and never answers: no SSH banner, nothing. */
    HUNG,
    /**
     * A {@code reboot} command (found first on the PATH of its commands) takes the server away: it closes every
     * connection and refuses new ones, then comes back on the same port after a while (the simulator's
     * {@code rebootSeconds}) with a new boot id in {@code <root>/.sim/boot_id} (made at start too), as Linux's
     * {@code /proc/sys/kernel/random/boot_id}.
     */
    REBOOT,
    /**
     * SFTP and nothing else, as OpenSSH's {@code ForceCommand internal-sftp}: every command and shell request is
     * refused; its inventory record's address is {@code sftp://127.0.0.1:PORT}.
     */
    SFTP_ONLY
}
