package org.fleetup.inventory.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;

import org.fleetup.api.FleetupException;
import org.fleetup.api.rollout.ActionStep;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Controller;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.StepRecord;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveProgress;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The rollouts, their waves and the per-server actions of each, kept in the inventory database. */
@Component(service = RolloutRepository.class)
public final class JdbcRolloutRepository implements RolloutRepository {

    private static final Logger LOGGER = LoggerFactory.getLogger(JdbcRolloutRepository.class);

    private final RolloutTable rollouts;
    private final ActionTable actions;
    private final ControllerTable controllers;

    @Activate
    public JdbcRolloutRepository(@Reference InventoryDatabase database) {
        this.rollouts = new RolloutTable(database);
        this.actions = new ActionTable(database);
        this.controllers = new ControllerTable(database);
    }

    /** Writes the transfer rates and round trips kept for the next write: a controller stopped in order loses none. */
    @Deactivate
    void deactivate() {
        try {
            actions.writeMeasured();
        } catch (FleetupException e) {
            LOGGER.warn("The transfer rates and round trips measured last were not written: {}", e.getMessage());
        }
    }

    @Override
    public void create(Rollout rollout, List<Wave> waves) {
        rollouts.create(rollout, waves);
    }

    @Override
    public List<Wave> waves(String rollout) {
        return rollouts.waves(rollout);
    }

    @Override
    public boolean moveWave(Wave wave, WaveStatus from) {
        return rollouts.moveWave(wave, from, null);
    }

    @Override
    public boolean moveWave(Wave wave, WaveStatus from, Election by) {
        return rollouts.moveWave(wave, from, Objects.requireNonNull(by, "by"));
    }

    @Override
    public boolean haltWave(Wave halted, Rollout rollout, Election by) {
        return rollouts.haltWave(halted, rollout, Objects.requireNonNull(by, "by"));
    }

    @Override
    public boolean moveRollout(Rollout rollout, RolloutStatus from) {
        return rollouts.moveRollout(rollout, from, null);
    }

    @Override
    public boolean moveRollout(Rollout rollout, RolloutStatus from, Election by) {
        return rollouts.moveRollout(rollout, from, Objects.requireNonNull(by, "by"));
    }

    @Override
    public List<RolloutAction> actions(String rollout) {
        return actions.actions(rollout);
    }

    @Override
    public Optional<RolloutAction> action(String rollout, String server) {
        return actions.action(rollout, server);
    }

    @Override
    public boolean join(String rollout, String server, int waveSize, int maxErrors, Instant at) {
        return rollouts.join(rollout, server, waveSize, maxErrors, at);
    }

    @Override
    public Optional<RolloutAction> claim(String action, String owner, Instant now, Instant until) {
        return actions.claim(action, owner, now, until);
    }

    @Override
    public List<RolloutAction> claimDue(String rollout, int wave, boolean begunOnly, int parallelism, int limit,
                                        Set<String> passOver, String owner, Instant now, Instant until) {
        return actions.claimDue(rollout, wave, begunOnly, parallelism, limit, passOver, owner, now, until);
    }

    @Override
    public void record(String action, long fence, ActionUpdate update) {
        actions.record(action, fence, update);
    }

    @Override
    public void record(String action, long fence, List<ActionUpdate> updates) {
        actions.record(action, fence, updates);
    }

    @Override
    public void record(String action, long fence, String holder, List<ActionUpdate> updates,
                       Map<String, String> journal) {
        actions.record(action, fence, holder, updates, journal);
    }

    @Override
    public void defer(String action, long fence, Instant notBefore, String detail) {
        actions.defer(action, fence, notBefore, detail, Instant.now());
    }

    @Override
    public void renew(String action, long fence, Instant until) {
        actions.renew(action, fence, until);
    }

    @Override
    public int expireLeases(String ownerPrefix, String current) {
        return actions.expireLeases(ownerPrefix, current, Instant.now());
    }

    @Override
    public int endNotStarted(String rollout, int wave, StepState step, String detail, Instant at) {
        return actions.endNotStarted(rollout, wave, step, detail, at, null);
    }

    @Override
    public int endNotStarted(String rollout, int wave, StepState step, String detail, Instant at, Election by) {
        return actions.endNotStarted(rollout, wave, step, detail, at, Objects.requireNonNull(by, "by"));
    }

    @Override
    public List<StepRecord> history(String rollout, String server) {
        return actions.history(rollout, server);
    }

    @Override
    public void recordTransfer(String server, long bytes, Duration took) {
        actions.recordTransfer(server, bytes, took);
    }

    @Override
    public Map<String, Double> transferRates() {
        return actions.transferRates();
    }

    @Override
    public void recordRoundTrip(String server, Duration roundTrip) {
        actions.recordRoundTrip(server, roundTrip);
    }

    @Override
    public Map<String, Duration> roundTrips() {
        return actions.roundTrips();
    }

    @Override
    public void saveRollout(Rollout rollout) {
        rollouts.save(rollout);
    }

    @Override
    public Optional<Rollout> rollout(String id) {
        return rollouts.find(id);
    }

    @Override
    public Optional<RolloutStatus> status(String id) {
        return rollouts.status(id);
    }

    @Override
    public Optional<Rollout> summary(String id) {
        return rollouts.summary(id);
    }

    @Override
    public List<Rollout> unfinishedSummaries() {
        return rollouts.unfinishedSummaries();
    }

    @Override
    public List<WaveProgress> progress(String rollout) {
        return rollouts.progress(rollout);
    }

    @Override
    public List<Rollout> rollouts() {
        return rollouts.list();
    }

    @Override
    public List<Rollout> unfinished() {
        return rollouts.unfinished();
    }

    @Override
    public void saveServer(RolloutServer server) {
        rollouts.saveServer(server);
    }

    @Override
    public List<RolloutServer> servers(String rollout) {
        return rollouts.servers(rollout);
    }

    @Override
    public void heartbeat(String id, String address, Instant started, Instant now, Instant until) {
        controllers.heartbeat(id, address, started, now, until);
    }

    @Override
    public void leave(String id) {
        controllers.leave(id);
    }

    @Override
    public List<Controller> controllers(Instant now) {
        return controllers.controllers(now);
    }

    @Override
    public OptionalLong elect(String role, String owner, Instant now, Instant until) {
        return controllers.elect(role, owner, now, until);
    }

    @Override
    public List<ActionStep> stepsAfter(String rollout, long seq) {
        return actions.stepsAfter(rollout, seq);
    }

    @Override
    public long lastStep() {
        return actions.lastStep();
    }
}
