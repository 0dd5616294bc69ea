package org.fleetup.transport.http;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.fleetup.agent.protocol.InstallOrder;
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
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One agent server's upgrade, a step at a time: {@code connect}/{@code inspect} read the agent's {@code /status},
 * {@code compare} decides with the planner, {@code install} signs and posts the order, {@code health} follows it until
 * the agent ends it (the action put aside between two questions: no thread waits), {@code confirm} reads the version
 * again. The agent stages, verifies, switches, checks and rolls back by itself; the steps between do nothing here.
 *
 * <p>The order's sequence number and expiry are journaled before it is posted, so that a restarted controller signs
 * the same order again (Ed25519 signs alike) rather than a new one: an agent that had it refuses the copy as a replay,
 * and the controller follows the order it has. The number is one above the last the agent accepted, which the agent
 * keeps across its own restarts, so it rises whatever the controller forgot.
 */
final class AgentProcedure implements Procedure {

    /** What every procedure of one transport shares. */
    record Parts(AgentSettings settings, OrderSigner signer, Planner planner) {
    }

    static final String SEQUENCE = "agent.sequence";
    static final String EXPIRES = "agent.expires";
    static final String DEADLINE = "agent.deadline";
    static final String FROM = "agent.from";
    static final String ACCEPTED = "agent.accepted";
    static final String SILENT = "agent.silentPolls";

    private static final Logger LOGGER = LoggerFactory.getLogger(AgentProcedure.class);

    private final Parts parts;
    private final AgentClient agent;
    private final String rollout;
    private final Server server;
    private final Release release;
    private final boolean force;
    private final StepListener listener;
    private final Journal journal;

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
        this.listener = listener == null ? event -> { } : listener;
        this.journal = journal;
    }

    @Override
    public void run(Step step) {
        if (outcome != null || resumeAt != null) {
            return;
        }
        logged(() -> {
            switch (step) {
                case CONNECT -> connect();
                case INSPECT -> inspect();
                case COMPARE -> compare();
                case INSTALL -> order();
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
        logged(() -> {
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
    public ServerOutcome runToEnd() {
        while (true) {
            for (Step step : Step.values()) {
                try {
                    run(step);
                } catch (FleetupException e) {
                    if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                        throw e;
                    }
                    fail(step, e);
                } catch (RuntimeException e) {
                    fail(step, e);
                }
            }
            if (outcome != null) {
                return outcome;
            }
            // This caller has no scheduler to come back: it waits in place, as long as the order's deadline allows.
            Duration wait = Duration.between(Instant.now(), resumeAt);
            try {
                Thread.sleep(Math.max(0, wait.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(Step.HEALTH, new FleetupException(FleetupException.TRANSPORT_FAILED, "Interrupted while "
                        + "waiting for the agent of " + server.name()));
                return outcome;
            }
            resumeAt = null;
            status = null;
        }
    }

    @Override
    public void close() {
        // Nothing held: every request to the agent is its own.
    }

    private void connect() {
        if (accepted()) {
            tell(StepState.CHECKING, "following order " + journal.entries().get(SEQUENCE) + " on the agent at "
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
        if (journal.entries().containsKey(SEQUENCE)) {
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

    private void order() {
        Map<String, String> entries = journal.entries();
        if (!entries.containsKey(SEQUENCE)) {
            Instant now = Instant.now();
            Map<String, String> order = new HashMap<>();
            order.put(SEQUENCE, Long.toString(status.lastSequence() + 1));
            order.put(EXPIRES, now.plus(parts.settings().orderValidity()).toString());
            order.put(DEADLINE, now.plus(parts.settings().completionWait()).toString());
            order.put(FROM, status.version() == null ? "" : status.version());
            // Before the post: a controller that dies after it sends this very order again, never another one.
            journal.record(StepState.INSTALLING, "ordering " + release.coordinates() + " as order "
                    + order.get(SEQUENCE), order);
            entries = journal.entries();
        }
        if (accepted()) {
            return;
        }
        String sequence = entries.get(SEQUENCE);
        AgentClient.Answer answer = agent.post(parts.signer().sign(order(entries)));
        // Refused, the copy of an order the agent took before (REPLAYED, or EXPIRED when the controller was down long):
        // the agent holds it, and it is followed.
        if (answer.accepted() || isOurs(sequence)) {
            journal.record(StepState.INSTALLING, "the agent accepted order " + sequence + " for "
                    + release.coordinates(), Map.of(ACCEPTED, "true"));
            return;
        }
        if ("BUSY".equals(answer.code()) && Instant.now().isBefore(deadline())) {
            tell(StepState.WAITING, "the agent is busy with another order: " + answer.message());
            resumeAt = Instant.now().plus(parts.settings().pollInterval());
            return;
        }
        String from = from();
        finish(StepState.FAILED, from, from, "The agent refused order " + sequence + " for "
                + release.coordinates() + ": " + answer.code() + " " + answer.message());
    }

    /** Whether the agent's order {@code sequence} is this one: the controller's earlier post reached it. */
    private boolean isOurs(String sequence) {
        return agent.order(sequence).filter(order -> release.product().equals(order.product())
                && release.version().equals(order.version())).isPresent();
    }

    private InstallOrder order(Map<String, String> entries) {
        return new InstallOrder(agentId(), Long.parseLong(entries.get(SEQUENCE)),
                Instant.parse(entries.get(EXPIRES)), release.product(), release.kind(), release.version(), force,
                ArtifactServer.url(parts.settings().artifactBase(server.address()), release), release.size(), release.sha256(),
                parts.signer().keyId(), "");
    }

    /** The agent's {@code --id}: what it said in its status, else the server's name. */
    private String agentId() {
        return status != null && status.agent() != null ? status.agent() : server.name();
    }

    private void follow() {
        if (!accepted()) {
            return;
        }
        String sequence = journal.entries().get(SEQUENCE);
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
        if (journal.entries().containsKey(SILENT)) {
            journal.record(StepState.CHECKING, "the agent answers again", Collections.singletonMap(SILENT, null));
        }
        if (order.isEmpty()) {
            String from = from();
            finish(StepState.FAILED, from, null, "The agent at " + server.address() + " no longer knows order "
                    + sequence + " (its state was lost or reset): check the server, then retry the rollout.");
            return;
        }
        AgentClient.OrderState state = order.get();
        String from = from();
        switch (state.status()) {
            case "done" -> tell(StepState.CHECKING, "the agent ended order " + sequence + ": " + state.detail());
            case "failed" -> finish(StepState.FAILED, from, from, "The agent failed order " + sequence + ": "
                    + state.detail());
            case "rolled-back" -> finish(StepState.ROLLED_BACK, from, from, "The agent rolled order " + sequence
                    + " back: " + state.detail());
            default -> {
                if (Instant.now().isAfter(deadline())) {
                    finish(StepState.FAILED, from, null, "The agent did not end order " + sequence + " within "
                            + parts.settings().completionWait().toSeconds() + " s (it is " + state.status()
                            + "): check the agent's log on the server.");
                    return;
                }
                tell(StepState.CHECKING, "the agent is " + state.status() + " (order " + sequence + ")");
                resumeAt = Instant.now().plus(parts.settings().pollInterval());
            }
        }
    }

    /** One more question the agent left unanswered: the server fails past the limit or the deadline. */
    private void silent(String sequence, FleetupException e) {
        int silent = Integer.parseInt(journal.entries().getOrDefault(SILENT, "0")) + 1;
        if (silent > parts.settings().silentPolls() || Instant.now().isAfter(deadline())) {
            String from = from();
            finish(StepState.FAILED, from, null, "The agent went silent while carrying out order " + sequence
                    + " (" + silent + " questions unanswered): " + e.getMessage());
            return;
        }
        journal.record(StepState.CHECKING, "the agent does not answer (" + silent + " of "
                + parts.settings().silentPolls() + ")", Map.of(SILENT, Integer.toString(silent)));
        resumeAt = Instant.now().plus(parts.settings().pollInterval());
    }

    private void confirm() {
        if (!accepted()) {
            return;
        }
        AgentClient.Status now = agent.status();
        String from = from();
        if (release.version().equals(now.version())) {
            finish(StepState.DONE, from, now.version(), from == null
                    ? "installed " + release.version() + " by the agent, no release ran before"
                    : "upgraded from " + from + " by the agent");
        } else {
            finish(StepState.FAILED, from, now.version(), "The agent ended order " + journal.entries().get(SEQUENCE)
                    + " done but reports " + now.version() + ", expected " + release.version());
        }
    }

    private boolean accepted() {
        return "true".equals(journal.entries().get(ACCEPTED));
    }

    private Instant deadline() {
        String deadline = journal.entries().get(DEADLINE);
        return deadline == null ? Instant.MAX : Instant.parse(deadline);
    }

    private String from() {
        String from = journal.entries().get(FROM);
        if (from != null) {
            return from.isEmpty() ? null : from;
        }
        return status == null ? null : status.version();
    }

    private void finish(StepState state, String from, String to, String detail) {
        if (state == StepState.DONE || state == StepState.SKIPPED) {
            LOGGER.info("{}: {}", state, detail);
        } else {
            LOGGER.warn("{}: {}", state, detail);
        }
        tell(state, detail);
        outcome = new ServerOutcome(server.name(), state, from, to, detail);
    }

    // A listener that throws a lost lease stops the work; any other failure of it must not stop an upgrade.
    private void tell(StepState state, String detail) {
        try {
            listener.onStep(StepEvent.of(rollout, server.name(), state, detail));
        } catch (FleetupException e) {
            if (FleetupException.hasCode(e, FleetupException.LEASE_LOST)) {
                throw e;
            }
            LOGGER.warn("A step listener failed on {} of {}; the upgrade goes on", state, server.name(), e);
        } catch (RuntimeException e) {
            LOGGER.warn("A step listener failed on {} of {}; the upgrade goes on", state, server.name(), e);
        }
    }

    private void logged(Runnable work) {
        MDC.put("server", server.name());
        MDC.put("rollout", String.valueOf(rollout));
        try {
            work.run();
        } finally {
            MDC.remove("server");
            MDC.remove("rollout");
        }
    }
}
