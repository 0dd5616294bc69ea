package org.fleetup.transport.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent server's upgrade, a step at a time: {@code connect}/{@code inspect} read the agent's {@code /status},
 * {@code compare} decides with the planner, {@code install} signs and posts the order, {@code health} follows it until
 * the agent ends it (the action put aside between two questions: no thread waits), {@code confirm} reads the version
 * again. The agent stages, verifies, switches, checks and rolls back by itself; the steps between do nothing here.
 * Posting the order is {@link OrderPosting}'s, following it {@link OrderFollowing}'s, what was ordered is kept by
 * {@link OrderJournal}; this class is the steps' order and the server's outcome.
 *
 * <p>The order's sequence number and expiry are journaled before it is posted, so that a restarted controller signs
 * the same order again (Ed25519 signs alike) rather than a new one: an agent that had it refuses the copy as a replay,
 * and the controller follows the order it has. The number is one above the last the agent accepted, which the agent
 * keeps across its own restarts, so it rises whatever the controller forgot.
 */
final class AgentProcedure implements Procedure, StepSink {

    /** What every procedure of one transport shares. */
    record Parts(AgentSettings settings, OrderSigner signer, Planner planner) {
    }

    private static final Logger LOGGER = LoggerFactory.getLogger(AgentProcedure.class);

    private final Parts parts;
    private final AgentClient agent;
    private final String rollout;
    private final Server server;
    private final Release release;
    private final boolean force;
    private final StepReporter steps;
    private final OrderJournal journal;
    private final OrderPosting posting;
    private final OrderFollowing following;

    private AgentClient.Status status;
    private ServerOutcome outcome;
    private Instant resumeAt;

    AgentProcedure(Parts parts, AgentClient agent, String rollout, Server server, Release release, boolean force,
                   StepListener listener, Journal journal) {
        this.parts = parts;
        this.agent = agent;
        this.rollout = rollout;
        this.server = server;
        this.release = release;
        this.force = force;
        this.steps = new StepReporter(rollout, server.name(), listener);
        this.journal = new OrderJournal(journal);
        this.posting = new OrderPosting(parts, agent, server, release, force, this.journal, this);
        this.following = new OrderFollowing(parts.settings(), agent, server, this.journal, this);
    }

    @Override
    public void run(Step step) {
        if (outcome != null || resumeAt != null) {
            return;
        }
        steps.logged(() -> {
            switch (step) {
                case CONNECT -> connect();
                case INSPECT -> inspect();
                case COMPARE -> compare();
                case INSTALL -> posting.post(status);
                case HEALTH -> follow();
                case CONFIRM -> confirm();
                default -> {
                    // Staged, verified, switched, restarted and rolled back by the agent itself.
                }
            }
        });
    }

    @Override
    public void fail(Step step, RuntimeException cause) {
        if (outcome != null) {
            return;
        }
        if (FleetupException.hasCode(cause, FleetupException.LEASE_LOST)) {
            throw cause;
        }
        steps.logged(() -> {
            if (!(cause instanceof FleetupException)) {
                LOGGER.error("Ordering {} to {} failed unexpectedly in {}", server.name(), release.coordinates(),
                        step.id(), cause);
            }
            String from = from();
            finish(StepState.FAILED, from, from, cause instanceof FleetupException
                    ? cause.getMessage() : "unexpected error: " + cause);
        });
    }

    @Override
    public Optional<ServerOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @Override
    public Optional<Instant> resumeAt() {
        return outcome == null ? Optional.ofNullable(resumeAt) : Optional.empty();
    }

    @Override
    public void beforeNextPass() {
        resumeAt = null;
        status = null;
    }

    @Override
    public void close() {
        // Nothing held: every request to the agent is its own.
    }

    private void connect() {
        if (journal.accepted()) {
            tell(StepState.CHECKING, "following order " + journal.sequence() + " on the agent at "
                    + server.address());
            return;
        }
        tell(StepState.CONNECTING, "asking the agent at " + server.address());
        status = agent.status();
    }

    private void inspect() {
        if (status != null && !release.product().equals(status.product())) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The agent at " + server.address()
                    + " installs " + status.product() + ", not " + release.product() + ": check the server's "
                    + "address, or start the agent with --product " + release.product() + ".");
        }
    }

    private void compare() {
        if (journal.made()) {
            // An order was made: it is followed to its end whatever the server runs now.
            return;
        }
        Inspection inspection = AgentTransport.inspection(server, release.product(), status, Instant.now(),
                Duration.ZERO);
        PlanEntry entry = parts.planner().decide(release, inspection, force);
        if (entry.decision() == Decision.UPGRADE || entry.decision() == Decision.INSTALL) {
            return;
        }
        finish(entry.decision() == Decision.CURRENT || entry.decision() == Decision.NEWER
                ? StepState.SKIPPED : StepState.FAILED, status.version(), status.version(), entry.reason());
    }

    private void follow() {
        if (journal.accepted()) {
            following.ask();
        }
    }

    private void confirm() {
        if (!journal.accepted()) {
            return;
        }
        AgentClient.Status now = agent.status();
        String from = from();
        if (release.version().equals(now.version())) {
            finish(StepState.DONE, from, now.version(), from == null
                    ? "installed " + release.version() + " by the agent, no release ran before"
                    : "upgraded from " + from + " by the agent");
        } else {
            finish(StepState.FAILED, from, now.version(), "The agent ended order " + journal.sequence()
                    + " done but reports " + now.version() + ", expected " + release.version());
        }
    }

    @Override
    public String from() {
        return journal.from(status == null ? null : status.version());
    }

    @Override
    public void resumeAfter(Duration wait) {
        resumeAt = Instant.now().plus(wait);
    }

    @Override
    public void finish(StepState state, String from, String to, String detail) {
        outcome = steps.finish(state, from, to, detail);
    }

    @Override
    public void tell(StepState state, String detail) {
        steps.step(state, detail);
    }
}
