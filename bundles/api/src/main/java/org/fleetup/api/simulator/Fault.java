package org.fleetup.api.simulator;

/** What can be wrong with a simulated server. */
public enum Fault {
    /** Writes fail with "no space left on device" once the root holds a little more than at start. */
    DISK_FULL,
    /** The connection drops in the middle of a file transfer. */
    DROP_CONNECTION,
    /** Every connection is closed as soon as it is accepted. */
    REFUSE_CONNECTIONS
}
