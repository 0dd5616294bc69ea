package org.fleetup.api.pull;

import java.time.Instant;

/**
 * A pull agent as the patch server knows it, from its checks and its feedback.
 *
 * @param mac its MAC address, {@code 02-00-00-00-00-01}: its id
 * @param address the address it says it has
 * @param product the product it installs
 * @param version the version it runs, {@code ""} for none
 * @param lastCheck when it last checked
 * @param nextCheck when it is expected back ({@code null}: unknown)
 * @param server the patch server (or mirror) base URL it reached
 * @param status the last step it reported ({@code downloading}, {@code installing}, {@code done}, {@code failed},
 *        {@code rolled-back}, {@code refused}), {@code ""} for none
 * @param detail what it said with that step
 * @param failedVersion the last version whose install failed there; not offered to it again
 * @param offeredVersion the last version offered to it; {@code null} for none
 */
public record PullAgentRecord(String mac, String address, String product, String version, Instant lastCheck,
                              Instant nextCheck, String server, String status, String detail,
                              String failedVersion, String offeredVersion) {

    /** A record as a check makes it: no report, nothing failed or offered yet. */
    public PullAgentRecord(String mac, String address, String product, String version, Instant lastCheck,
                           Instant nextCheck, String server) {
        this(mac, address, product, version, lastCheck, nextCheck, server, "", "", null, null);
    }
}
