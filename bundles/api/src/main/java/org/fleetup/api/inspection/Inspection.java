package org.fleetup.api.inspection;

import java.time.Duration;
import java.time.Instant;

/**
 * What reading a server's version found. Unreachable and unparsable are results, not failures.
 *
 * @param server the server's name
 * @param product the product inspected
 * @param status how it went
 * @param version the version found, or {@code null} unless {@link Status#OK}
 * @param detail why, when not {@link Status#OK}
 * @param at when it was read
 * @param took how long it took
 */
public record Inspection(String server, String product, Status status, String version, String detail, Instant at,
                         Duration took) {

    public enum Status {
        /** The version was read and parses in the product's scheme. */
        OK,
        /** The server could not be reached (refused, timed out, host key or authentication refused). */
        UNREACHABLE,
        /** Something answered, but not a version of the product's scheme. */
        UNPARSABLE,
        /** The product is not installed where its profile says, or the command failed. */
        FAILED
    }
}
