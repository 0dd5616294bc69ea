package org.fleetup.simulator.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The sizes and times of the simulator's faults.
 *
 * @param dropAfterBytes bytes one session may write over SFTP to a DROP_CONNECTION host
 * @param diskQuotaBytes bytes that may be written over SFTP to a DISK_FULL host, in all
 * @param busyFor how long a BUSY host's marker stays
 * @param rebootFor how long a REBOOT host stays down
 */
public record FaultSettings(long dropAfterBytes, long diskQuotaBytes, Duration busyFor, Duration rebootFor) {

    public FaultSettings {
        Objects.requireNonNull(busyFor, "busyFor");
        Objects.requireNonNull(rebootFor, "rebootFor");
    }
}
