package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.List;

/**
 * One controller that shares the inventory, as its heartbeat row says.
 *
 * @param id the controller's incarnation: its configured name, then {@code /} and a part unique to its running JVM
 * @param address where an operator reaches it (host and console or HTTP port), as it tells
 * @param started when this incarnation started
 * @param heartbeat when it last told it was alive
 * @param aliveUntil until when its last heartbeat holds: past that, it is taken for dead
 * @param actionsHeld the servers it holds a lease on now
 * @param roles what it is elected to now ({@code rollout-decisions}: it decides for every rollout)
 */
public record Controller(String id, String address, Instant started, Instant heartbeat, Instant aliveUntil,
                         int actionsHeld, List<String> roles) {

    /** Whether its last heartbeat still holds at {@code now}. */
    public boolean aliveAt(Instant now) {
        return aliveUntil != null && !aliveUntil.isBefore(now);
    }
}
