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
        /**
         * The version could not be read although the product is there (its {@code current} exists), or the root
         * cannot be entered, or the command failed or timed out.
         */
        FAILED,
        /**
         * Nothing of the product is installed: the version command failed and the root holds no {@code current}
         * link (the root itself may be absent). Told by an explicit test of the release-directory layout on the
         * server, never guessed from a failing command: a product whose version command works without a
         * {@code current} link is {@link #OK}.
         */
        NOT_INSTALLED
    }
}
