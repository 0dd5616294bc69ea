package org.fleetup.agent.protocol;

/**
 * Why an agent refused an order: a stable code for programs, and words for people.
 *
 * @param reason the stable reason
 * @param message what was wrong and what to do, for the operator
 */
public record Refusal(Reason reason, String message) {

    /** The stable reasons; their names are the codes agents answer with. */
    public enum Reason {
        /** The body does not parse as an order, or names a version the agent's scheme cannot read. */
        MALFORMED,
        /** The order carries no signature line. */
        UNSIGNED,
        /** The order names a key the agent does not trust. */
        UNTRUSTED_KEY,
        /** The signature does not verify with the key the order names. */
        BAD_SIGNATURE,
        /** The order is addressed to another agent. */
        MISADDRESSED,
        /** The order's expiry has passed. */
        EXPIRED,
        /** The order's sequence number is not higher than the last one the agent accepted. */
        REPLAYED,
        /** The order is for a product this agent does not run. */
        WRONG_PRODUCT,
        /** The order is for a kind of software this agent does not install. */
        WRONG_KIND,
        /** The version is not newer than the running one, and the order is not forced. */
        NOT_NEWER
    }
}
