package org.fleetup.transport.http;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.StepState;

/**
 * What the controller made of one agent order, in the server action's journal, so that a restarted controller goes
 * on with the same order: its sequence, expiry and deadline, the version the server ran before it, whether the agent
 * accepted it, and how many questions in a row the agent left unanswered.
 */
final class OrderJournal {

    static final String SEQUENCE = "agent.sequence";
    static final String EXPIRES = "agent.expires";
    static final String DEADLINE = "agent.deadline";
    static final String FROM = "agent.from";
    static final String ACCEPTED = "agent.accepted";
    static final String SILENT = "agent.silentPolls";

    private final Journal journal;

    OrderJournal(Journal journal) {
        this.journal = journal;
    }

    /** Whether an order was made: from then on it is followed to its end, whatever the server runs. */
    boolean made() {
        return journal.entries().containsKey(SEQUENCE);
    }

    /** Records the order before it is posted: a controller that dies after the post sends this very one again. */
    void make(long sequence, Instant expires, Instant deadline, String from, String detail) {
        Map<String, String> order = new HashMap<>();
        order.put(SEQUENCE, Long.toString(sequence));
        order.put(EXPIRES, expires.toString());
        order.put(DEADLINE, deadline.toString());
        order.put(FROM, from == null ? "" : from);
        journal.record(StepState.INSTALLING, detail, order);
    }

    String sequence() {
        return journal.entries().get(SEQUENCE);
    }

    Instant expires() {
        return Instant.parse(journal.entries().get(EXPIRES));
    }

    boolean accepted() {
        return "true".equals(journal.entries().get(ACCEPTED));
    }

    void accept(String detail) {
        journal.record(StepState.INSTALLING, detail, Map.of(ACCEPTED, "true"));
    }

    /** When the agent must have ended the order; {@link Instant#MAX} before one was made. */
    Instant deadline() {
        String deadline = journal.entries().get(DEADLINE);
        return deadline == null ? Instant.MAX : Instant.parse(deadline);
    }

    /**
     * The version the server ran when the order was made ({@code null}: none ran), or {@code running} before an
     * order was made.
     */
    String from(String running) {
        String from = journal.entries().get(FROM);
        if (from == null) {
            return running;
        }
        return from.isEmpty() ? null : from;
    }

    int silentPolls() {
        return Integer.parseInt(journal.entries().getOrDefault(SILENT, "0"));
    }

    void silent(int polls, String detail) {
        journal.record(StepState.CHECKING, detail, Map.of(SILENT, Integer.toString(polls)));
    }

    /** The agent answered after it had left questions unanswered: the count starts again. */
    void answered() {
        if (journal.entries().containsKey(SILENT)) {
            journal.record(StepState.CHECKING, "the agent answers again", Collections.singletonMap(SILENT, null));
        }
    }
}
