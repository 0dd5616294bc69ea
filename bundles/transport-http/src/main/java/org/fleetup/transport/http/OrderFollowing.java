package org.fleetup.transport.http;

import java.time.Instant;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.upgrade.StepState;

/**
 * The {@code health} step of an agent server: the agent is asked about its order, one question each time the action
 * comes back, until the order ends, the deadline passes, or the agent leaves too many questions in a row unanswered.
 */
final class OrderFollowing {

    private final AgentSettings settings;
    private final AgentClient agent;
    private final Server server;
    private final OrderJournal journal;
    private final StepSink steps;

    OrderFollowing(AgentSettings settings, AgentClient agent, Server server, OrderJournal journal, StepSink steps) {
        this.settings = settings;
        this.agent = agent;
        this.server = server;
        this.journal = journal;
        this.steps = steps;
    }

    /** One question about the accepted order, and what its answer means. */
    void ask() {
        String sequence = journal.sequence();
        Optional<AgentClient.OrderState> order;
        try {
            order = agent.order(sequence);
        } catch (FleetupException e) {
            if (!FleetupException.hasCode(e, FleetupException.SERVER_UNREACHABLE)) {
                throw e;
            }
            silent(sequence, e);
            return;
        }
        journal.answered();
        String from = steps.from();
        if (order.isEmpty()) {
            steps.finish(StepState.FAILED, from, null, "The agent at " + server.address() + " no longer knows order "
                    + sequence + " (its state was lost or reset): check the server, then retry the rollout.");
            return;
        }
        AgentClient.OrderState state = order.get();
        switch (state.status()) {
            case "done" -> steps.tell(StepState.CHECKING, "the agent ended order " + sequence + ": "
                    + state.detail());
            case "failed" -> steps.finish(StepState.FAILED, from, from, "The agent failed order " + sequence + ": "
                    + state.detail());
            case "rolled-back" -> steps.finish(StepState.ROLLED_BACK, from, from, "The agent rolled order " + sequence
                    + " back: " + state.detail());
            default -> {
                if (Instant.now().isAfter(journal.deadline())) {
                    steps.finish(StepState.FAILED, from, null, "The agent did not end order " + sequence + " within "
                            + settings.completionWait().toSeconds() + " s (it is " + state.status()
                            + "): check the agent's log on the server.");
                    return;
                }
                steps.tell(StepState.CHECKING, "the agent is " + state.status() + " (order " + sequence + ")");
                steps.resumeAfter(settings.pollInterval());
            }
        }
    }

    /** One more question the agent left unanswered: the server fails past the limit or the deadline. */
    private void silent(String sequence, FleetupException e) {
        int silent = journal.silentPolls() + 1;
        if (silent > settings.silentPolls() || Instant.now().isAfter(journal.deadline())) {
            String from = steps.from();
            steps.finish(StepState.FAILED, from, null, "The agent went silent while carrying out order " + sequence
                    + " (" + silent + " questions unanswered): " + e.getMessage());
            return;
        }
        journal.silent(silent, "the agent does not answer (" + silent + " of " + settings.silentPolls() + ")");
        steps.resumeAfter(settings.pollInterval());
    }
}
