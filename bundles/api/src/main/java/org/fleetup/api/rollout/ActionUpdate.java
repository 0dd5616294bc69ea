package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.Map;

import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.StepState;

/**
 * One fenced write of an action: its step, the journal entries that change, and the lease renewed or let go.
 *
 * @param step the step it enters
 * @param from the version it ran before, or {@code null} to keep the one recorded
 * @param to the version it runs after, or {@code null} to keep the one recorded
 * @param detail what it does, or why it ended
 * @param journalChanges entries to set; a {@code null} value removes one
 * @param leaseUntil the lease's new expiry, or {@code null} to let the lease go (the action ended)
 * @param history whether to append the step to the history (a step change, not progress)
 * @param at when
 */
public record ActionUpdate(StepState step, String from, String to, String detail, Map<String, String> journalChanges,
                           Instant leaseUntil, boolean history, Instant at) {

    /** Applies its journal changes, if any, to {@code journal}, as {@link Journal#apply} does. */
    public void applyTo(Map<String, String> journal) {
        if (journalChanges != null) {
            Journal.apply(journalChanges, journal);
        }
    }
}
