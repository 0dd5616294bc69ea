package org.fleetup.agent.protocol;

import java.util.Optional;

/**
 * What the agent decided about an order: accepted (the order), or refused (the reason). Exactly one is present.
 *
 * @param order the accepted order
 * @param refusal why it was refused
 */
public record Verdict(Optional<InstallOrder> order, Optional<Refusal> refusal) {

    public Verdict {
        if (order.isPresent() == refusal.isPresent()) {
            throw new IllegalArgumentException("a verdict is an order or a refusal");
        }
    }

    static Verdict accepted(InstallOrder order) {
        return new Verdict(Optional.of(order), Optional.empty());
    }

    static Verdict refused(Refusal.Reason reason, String message) {
        return new Verdict(Optional.empty(), Optional.of(new Refusal(reason, message)));
    }

    public boolean isAccepted() {
        return order.isPresent();
    }
}
