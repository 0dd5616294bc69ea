package org.fleetup.transport.http;

import java.time.Instant;

import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.StepState;

/**
 * The {@code install} step of an agent server: the order is made once (journaled before it is posted, so that a
 * restarted controller signs the same order again rather than a new one), signed with the controller's key and posted
 * to the agent, until the agent holds it.
 */
final class OrderPosting {

    private final AgentProcedure.Parts parts;
    private final AgentClient agent;
    private final Server server;
    private final Release release;
    private final boolean force;
    private final OrderJournal journal;
    private final StepSink steps;

    OrderPosting(AgentProcedure.Parts parts, AgentClient agent, Server server, Release release, boolean force,
                 OrderJournal journal, StepSink steps) {
        this.parts = parts;
        this.agent = agent;
        this.server = server;
        this.release = release;
        this.force = force;
        this.journal = journal;
        this.steps = steps;
    }

    /** @param status what the agent said at {@code connect}; {@code null} when it was not asked (order accepted) */
    void post(AgentClient.Status status) {
        if (!journal.made()) {
            Instant now = Instant.now();
            long sequence = status.lastSequence() + 1;
            journal.make(sequence, now.plus(parts.settings().orderValidity()),
                    now.plus(parts.settings().completionWait()), status.version(),
                    "ordering " + release.coordinates() + " as order " + sequence);
        }
        if (journal.accepted()) {
            return;
        }
        String sequence = journal.sequence();
        AgentClient.Answer answer = agent.post(parts.signer().sign(order(status)));
        // Refused, the copy of an order the agent took before (REPLAYED, or EXPIRED when the controller was down long):
        // the agent holds it, and it is followed.
        if (answer.accepted() || isOurs(sequence)) {
            journal.accept("the agent accepted order " + sequence + " for " + release.coordinates());
            return;
        }
        if ("BUSY".equals(answer.code()) && Instant.now().isBefore(journal.deadline())) {
            steps.tell(StepState.WAITING, "the agent is busy with another order: " + answer.message());
            steps.resumeAfter(parts.settings().pollInterval());
            return;
        }
        String from = steps.from();
        steps.finish(StepState.FAILED, from, from, "The agent refused order " + sequence + " for "
                + release.coordinates() + ": " + answer.code() + " " + answer.message());
    }

    /** Whether the agent's order {@code sequence} is this one: the controller's earlier post reached it. */
    private boolean isOurs(String sequence) {
        return agent.order(sequence).filter(order -> release.product().equals(order.product())
                && release.version().equals(order.version())).isPresent();
    }

    private InstallOrder order(AgentClient.Status status) {
        return new InstallOrder(agentId(status), Long.parseLong(journal.sequence()), journal.expires(),
                release.product(), release.kind(), release.version(), force,
                ArtifactServer.url(parts.settings().artifactBase(server.address()), release), release.size(),
                release.sha256(), parts.signer().keyId(), "");
    }

    /** The agent's {@code --id}: what it said in its status, else the server's name. */
    private String agentId(AgentClient.Status status) {
        return status != null && status.agent() != null ? status.agent() : server.name();
    }
}
