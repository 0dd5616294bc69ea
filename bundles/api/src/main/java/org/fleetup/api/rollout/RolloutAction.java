package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.Map;

import org.fleetup.api.upgrade.StepState;

/**
 * The work of one server in a rollout, as the inventory keeps it: where it stands, who holds it and its journal.
 *
 * @param id a UUID
 * @param rollout the rollout's id
 * @param wave the wave it belongs to, 1 for the canary
 * @param position its place in the rollout's order
 * @param server the server's name
 * @param step where its upgrade stands
 * @param from the version it ran before, when known
 * @param to the version it runs after, when known
 * @param detail what it is doing, or why it ended as it did
 * @param attempt how many times it was claimed
 * @param leaseOwner the controller incarnation working on it, or {@code null}
 * @param leaseUntil when that lease expires, or {@code null}
 * @param fence raised by every claim; a write carrying an older fence is refused
 * @param journal what the upgrade recorded (see {@link org.fleetup.api.upgrade.Journal})
 * @param updatedAt when it last changed
 * @param notBefore no controller claims it before this time (it was deferred), or {@code null}
 */
public record RolloutAction(String id, String rollout, int wave, int position, String server, StepState step,
                            String from, String to, String detail, int attempt, String leaseOwner, Instant leaseUntil,
                            long fence, Map<String, String> journal, Instant updatedAt, Instant notBefore) {

    public RolloutAction {
        journal = journal == null ? Map.of() : Map.copyOf(journal);
    }

    /** An action never deferred: kept for callers written before {@link #notBefore}. */
    public RolloutAction(String id, String rollout, int wave, int position, String server, StepState step,
                         String from, String to, String detail, int attempt, String leaseOwner, Instant leaseUntil,
                         long fence, Map<String, String> journal, Instant updatedAt) {
        this(id, rollout, wave, position, server, step, from, to, detail, attempt, leaseOwner, leaseUntil, fence,
                journal, updatedAt, null);
    }

    /** Whether it was deferred past {@code now}: not to be claimed yet. */
    public boolean deferredAt(Instant now) {
        return notBefore != null && notBefore.isAfter(now);
    }

    /** Whether a controller works on it now: a lease that has not expired at {@code now}. */
    public boolean leasedAt(Instant now) {
        return leaseOwner != null && leaseUntil != null && !leaseUntil.isBefore(now);
    }

    public RolloutServer asServer() {
        return new RolloutServer(rollout, server, step, from, to, detail, updatedAt, wave);
    }
}
