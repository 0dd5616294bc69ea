package org.fleetup.api.upgrade;

import java.util.Map;

import org.fleetup.api.FleetupException;

/**
 * Where the upgrade of one server keeps what a restarted controller must know to finish it: what was staged and
 * verified, where {@code current} pointed before, whether the switch was ordered, what the server's own journal said.
 * Every step records here <em>before</em> its irreversible part, so that the step can run again after a crash in its
 * middle and bring the server to a correct state.
 *
 * <p>The rollout engine keeps it in the inventory, under the lease of the controller working on the server; an
 * upgrade outside a rollout keeps it in memory ({@link #inMemory()}).
 */
public interface Journal {

    /** What was recorded so far: empty for a server not started yet. */
    Map<String, String> entries();

    /**
     * Records the step the server enters and the entries that change (a {@code null} value removes one), durably,
     * before returning.
     *
     * @throws FleetupException {@link FleetupException#LEASE_LOST} when another controller has taken the server over:
     *         the caller must stop touching it at once
     */
    void record(StepState step, String detail, Map<String, String> changes);

    /** A journal that lives as long as the object: for an upgrade no restart has to finish. */
    static Journal inMemory() {
        return new Journal() {
            private final Map<String, String> entries = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public Map<String, String> entries() {
                return Map.copyOf(entries);
            }

            @Override
            public void record(StepState step, String detail, Map<String, String> changes) {
                apply(changes, entries);
            }
        };
    }

    /** Applies {@code changes} to {@code entries}: sets each entry, or removes it for a {@code null} value. */
    static void apply(Map<String, String> changes, Map<String, String> entries) {
        changes.forEach((key, value) -> {
            if (value == null) {
                entries.remove(key);
            } else {
                entries.put(key, value);
            }
        });
    }
}
