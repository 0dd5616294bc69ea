package org.fleetup.bench.standin;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;

/**
 * One stand-in's upgrade: the journal is written before the switch (as a real procedure's is), so that a controller
 * that takes the server over after a crash finds the switch made and does not install it again.
 */
final class StandinProcedure implements Procedure {

    static final String FROM = "standin.from";
    static final String SWITCHING = "standin.switching";
    static final String SWITCHED = "standin.switched";

    private final StandinTransport transport;
    private final String rollout;
    private final Server server;
    private final Release release;
    private final StepListener listener;
    private final Journal journal;
    private String[] state;
    private ServerOutcome outcome;

    StandinProcedure(StandinTransport transport, String rollout, Server server, Release release,
                     StepListener listener, Journal journal) {
        this.transport = transport;
        this.rollout = rollout;
        this.server = server;
        this.release = release;
        this.listener = listener == null ? event -> { } : listener;
        this.journal = journal;
    }

    @Override
    public void run(Step step) {
        if (outcome != null) {
            return;
        }
        switch (step) {
            case CONNECT -> tell(StepState.CONNECTING, "stand-in");
            case INSPECT -> state = transport.read(server);
            case COMPARE -> {
                if (release.version().equals(state[0]) && journal.entries().get(SWITCHING) == null) {
                    finish(StepState.SKIPPED, state[0], state[0], "runs " + state[0] + " already");
                }
            }
            case INSTALL -> install();
            case HEALTH -> {
                String[] now = transport.read(server);
                if (!release.version().equals(now[0])) {
                    throw new FleetupException(FleetupException.TRANSPORT_FAILED, server.name() + " runs " + now[0]
                            + " after the switch to " + release.version());
                }
            }
            case CONFIRM -> {
                String from = journal.entries().getOrDefault(FROM, state[0]);
                finish(StepState.DONE, from, release.version(), "upgraded " + from + " to " + release.version());
            }
            default -> {
                // no transfer, no restart: the stand-in holds a version and a counter only
            }
        }
    }

    private void install() {
        if (journal.entries().get(SWITCHED) != null) {
            return;
        }
        Map<String, String> switching = new HashMap<>();
        switching.put(FROM, state[0]);
        switching.put(SWITCHING, "1");
        if (journal.entries().get(SWITCHING) == null) {
            journal.record(StepState.INSTALLING, "switching to " + release.version(), switching);
        }
        String[] now = transport.read(server);
        if (!release.version().equals(now[0])) {
            transport.write(server, release.version(), Integer.parseInt(now[1]) + 1);
        }
        journal.record(StepState.CHECKING, "switched to " + release.version(), Map.of(SWITCHED, "1"));
        tell(StepState.CHECKING, "switched to " + release.version());
    }

    @Override
    public void fail(Step step, RuntimeException cause) {
        if (outcome != null) {
            return;
        }
        if (FleetupException.hasCode(cause, FleetupException.LEASE_LOST)) {
            throw cause;
        }
        String from = state == null ? null : state[0];
        finish(StepState.FAILED, from, null, String.valueOf(cause.getMessage()));
    }

    @Override
    public Optional<ServerOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @Override
    public Optional<Instant> resumeAt() {
        return Optional.empty();
    }

    @Override
    public ServerOutcome runToEnd() {
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
        return outcome;
    }

    @Override
    public void close() {
        // nothing opened
    }

    private void finish(StepState end, String from, String to, String detail) {
        outcome = new ServerOutcome(server.name(), end, from, to, detail);
        tell(end, detail);
    }

    private void tell(StepState step, String detail) {
        listener.onStep(StepEvent.of(rollout, server.name(), step, detail));
    }
}
