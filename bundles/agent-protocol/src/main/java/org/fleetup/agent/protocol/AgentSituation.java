package org.fleetup.agent.protocol;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;

/**
 * What an agent knows about itself when an order comes: who it is, what it runs, and the last order it accepted.
 *
 * @param agent the agent's id, as orders address it
 * @param product the product it installs
 * @param kind the kind of software it installs ({@code application}, {@code firmware}, ...)
 * @param installed the version it runs now; empty when nothing is installed
 * @param lastSequence the sequence number of the last order it accepted, 0 for none
 * @param versions orders versions by the product's scheme; throws {@link IllegalArgumentException} for a version
 *        the scheme cannot read
 */
public record AgentSituation(String agent, String product, String kind, Optional<String> installed,
                             long lastSequence, Comparator<String> versions) {

    public AgentSituation {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(installed, "installed");
        Objects.requireNonNull(versions, "versions");
    }
}
