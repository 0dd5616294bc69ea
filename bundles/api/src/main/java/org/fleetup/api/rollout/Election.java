package org.fleetup.api.rollout;

import java.util.Objects;

/**
 * A controller's election to a role, as {@link RolloutRepository#elect} made it: the decisions taken in that role are
 * written under it, and change nothing once another controller holds the role (its fence raised since).
 *
 * @param role what the controller is elected to
 * @param owner the controller's incarnation
 * @param fence the role's fence when it was elected
 */
public record Election(String role, String owner, long fence) {

    public Election {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(owner, "owner");
    }
}
