package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.fleetup.api.pull.PullAgents;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveProgress;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Advances every rollout that has not ended from what the inventory holds, at each tick of the route
 * {@code fleet-rollout-tick}: starts a scheduled one whose time has come, opens the next wave once every server of the
 * open one has ended, halts a wave whose failures reach its max errors, and claims what free workers can take. No
 * thread waits here: what cannot be claimed now is claimed at a later tick, by this controller or another. A server
 * whose maintenance window is closed is not started (those in flight finish), nor one deferred past now. A pull agent
 * ({@link PullAgents}) is never claimed: it comes to the patch server, which records its steps; one silent past the
 * pull deadline fails here, and counts in its wave's threshold as any failed server does.
 */
final class RolloutEngine {

    private static final Logger LOGGER = LoggerFactory.getLogger(RolloutEngine.class);

    private final RolloutRepository repository;
    private final RolloutLifecycle lifecycle;
    private final RolloutTracker tracker;
    private final String owner;
    private final Duration lease;
    private final int workers;
    private final WindowGate windows;
    private final Duration pullDeadline;
    /** The actions this incarnation works on now. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private volatile Consumer<ActionWorker.Claim> dispatch;
    private volatile boolean stopping;
    /** The election this controller makes the rollouts' decisions under, and until when; {@code null}: it does not. */
    private volatile Decider decider;

    RolloutEngine(RolloutRepository repository, RolloutLifecycle lifecycle, RolloutTracker tracker, String owner,
                  Duration lease, int workers) {
        this(repository, lifecycle, tracker, owner, lease, workers, WindowGate.ALWAYS_OPEN,
                FleetRouting.DEFAULT_PULL_DEADLINE);
    }

    /** @param pullDeadline how long a pull agent of an open wave may stay silent before it fails */
    RolloutEngine(RolloutRepository repository, RolloutLifecycle lifecycle, RolloutTracker tracker, String owner,
                  Duration lease, int workers, WindowGate windows, Duration pullDeadline) {
        this.windows = windows;
        this.pullDeadline = pullDeadline;
        this.repository = repository;
        this.lifecycle = lifecycle;
        this.tracker = tracker;
        this.owner = owner;
        this.lease = lease;
        this.workers = workers;
    }

    void dispatchTo(Consumer<ActionWorker.Claim> claims) {
        this.dispatch = claims;
    }

    boolean stopping() {
        return stopping;
    }

    /** From now on nothing is claimed, and every write of the actions in flight is refused: they keep their leases. */
    void stop() {
        stopping = true;
    }

    /**
     * Whether this controller makes the rollouts' decisions (start a scheduled one, open a wave, halt one, end a
     * cancelled or finished rollout) until {@code until}, under {@code election}; {@code null}: another controller
     * does, and this one only works on the servers of the waves already open. Each decision is written under the
     * election, so that one taken after this controller was deposed, unknown to it yet, changes nothing.
     */
    void decide(Election election, Instant until) {
        this.decider = election == null || until == null ? null : new Decider(election, until);
    }

    /** The election to decide under at {@code now}, or {@code null} when this controller does not decide. */
    private Election deciding(Instant now) {
        Decider current = decider;
        return current != null && now.isBefore(current.until()) ? current.election() : null;
    }

    private record Decider(Election election, Instant until) {
    }

    void ended(String action) {
        inFlight.remove(action);
    }

    /** One tick: each rollout advanced on its own, so that one that cannot be read does not stop the others. */
    public void tick() {
        if (stopping || dispatch == null) {
            return;
        }
        // Their rows alone: what each decision needs of a rollout's servers is counted in the database.
        for (Rollout rollout : repository.unfinishedSummaries()) {
            try {
                advance(rollout);
            } catch (RuntimeException e) {
                LOGGER.error("Rollout {} could not be advanced; the next tick tries again", rollout.id(), e);
            }
        }
        tracker.pollEnded();
        tracker.pollSteps();
    }

    private void advance(Rollout rollout) {
        Instant now = Instant.now();
        Election by = deciding(now);
        boolean deciding = by != null;
        switch (rollout.status()) {
            case SCHEDULED -> {
                if (deciding && rollout.startAt() != null && !rollout.startAt().isAfter(now)) {
                    lifecycle.begin(rollout.id(), by).filter(r -> r.status() == RolloutStatus.RUNNING)
                            .ifPresent(running -> runWaves(running, by));
                }
            }
            case RUNNING -> {
                if (deciding) {
                    runWaves(rollout, by);
                } else {
                    workOpenWave(rollout);
                }
            }
            case PAUSED -> {
                if (deciding) {
                    List<RolloutAction> pulls = pullActions(rollout, repository.progress(rollout.id()));
                    if (!pulls.isEmpty()) {
                        failSilent(rollout, pulls, repository.waves(rollout.id()), RolloutEngine::begun);
                    }
                }
                claim(rollout, 0, true);
            }
            case CANCELLING -> {
                if (!deciding) {
                    claim(rollout, 0, true);
                    return;
                }
                repository.endNotStarted(rollout.id(), 0, StepState.SKIPPED, "not started: rollout cancelled", now,
                        by);
                List<RolloutAction> pulls = pullActions(rollout, repository.progress(rollout.id()));
                if (!pulls.isEmpty()) {
                    failSilent(rollout, pulls, repository.waves(rollout.id()), RolloutEngine::begun);
                }
                if (allEnded(repository.progress(rollout.id()))) {
                    lifecycle.finish(rollout.id(), by);
                } else {
                    claim(rollout, 0, true);
                }
            }
            default -> {
            }
        }
    }

    /**
     * What a controller not elected does with a running rollout: it works on the servers of the open wave while its
     * failures stay below the wave's max errors, and leaves every decision to the elected one.
     */
    private void workOpenWave(Rollout rollout) {
        List<Wave> waves = repository.waves(rollout.id());
        Optional<Wave> open = waves.stream().filter(wave -> wave.status() == WaveStatus.RUNNING).findFirst();
        if (open.isEmpty()) {
            if (waves.stream().noneMatch(wave -> wave.status() == WaveStatus.PENDING)) {
                claim(rollout, 0, true);
            }
            return;
        }
        Wave wave = open.get();
        long failed = progressOf(repository.progress(rollout.id()), wave.number()).failed();
        if (failed == 0 || failed < wave.maxErrors()) {
            claim(rollout, wave.number(), false);
        }
    }

    private static boolean begun(RolloutAction action) {
        return action.step() != StepState.PENDING;
    }

    private static WaveProgress progressOf(List<WaveProgress> progress, int wave) {
        return progress.stream().filter(counted -> counted.wave() == wave).findFirst()
                .orElse(WaveProgress.empty(wave));
    }

    private static boolean allEnded(List<WaveProgress> progress) {
        return progress.stream().allMatch(WaveProgress::allEnded);
    }

    /**
     * The actions of a rollout whose pull agents have not all ended, as only their actions tell which fell silent;
     * none for a rollout of other servers, whose progress is counted without reading its actions.
     */
    private List<RolloutAction> pullActions(Rollout rollout, List<WaveProgress> progress) {
        return progress.stream().anyMatch(wave -> wave.pullAgentsNotEnded() > 0)
                ? repository.actions(rollout.id()) : List.of();
    }

    private void runWaves(Rollout rollout, Election by) {
        List<Wave> waves = repository.waves(rollout.id());
        List<WaveProgress> progress = repository.progress(rollout.id());
        Optional<Wave> open = waves.stream().filter(wave -> wave.status() == WaveStatus.RUNNING).findFirst();
        if (open.isEmpty()) {
            Optional<Wave> next = waves.stream().filter(wave -> wave.status() == WaveStatus.PENDING)
                    .min(Comparator.comparingInt(Wave::number));
            if (next.isEmpty()) {
                if (progress.isEmpty()) {
                    // A publication to pull agents none of which has checked in yet: it waits for the first.
                    return;
                }
                if (allEnded(progress)) {
                    lifecycle.finish(rollout.id(), by);
                } else {
                    // Left by a halted wave that was resumed: those begun are finished, the others never start.
                    claim(rollout, 0, true);
                }
                return;
            }
            Wave opened = new Wave(rollout.id(), next.get().number(), next.get().size(), next.get().maxErrors(),
                    WaveStatus.RUNNING, Instant.now(), null);
            if (!repository.moveWave(opened, WaveStatus.PENDING, by)) {
                return; // Another controller opened it, or decides now: the next tick goes on from there.
            }
            LOGGER.info("Rollout {}: wave {} of {} opens, {} servers", rollout.id(), opened.number(), waves.size(),
                    opened.size());
            open = Optional.of(opened);
        }
        Wave wave = open.get();
        WaveProgress inWave = progressOf(progress, wave.number());
        if (inWave.pullAgentsNotEnded() > 0 && failSilent(rollout, repository.actions(rollout.id()), List.of(wave),
                action -> action.wave() == wave.number())) {
            inWave = progressOf(repository.progress(rollout.id()), wave.number());
        }
        long failed = inWave.failed();
        boolean reached = failed > 0 && failed >= wave.maxErrors();
        // The last wave has nothing after it to protect: it ends, and the rollout with it, rather than pause.
        boolean last = waves.stream().noneMatch(later -> later.number() > wave.number()
                && later.status() == WaveStatus.PENDING);
        if (reached && !last) {
            halt(rollout, wave, failed, inWave.actions(), by);
            return;
        }
        if (inWave.allEnded()) {
            if (!repository.moveWave(new Wave(rollout.id(), wave.number(), wave.size(), wave.maxErrors(),
                    reached ? WaveStatus.HALTED : WaveStatus.DONE, wave.startedAt(), Instant.now()),
                    WaveStatus.RUNNING, by)) {
                return;
            }
            LOGGER.info("Rollout {}: wave {} done, {} failed", rollout.id(), wave.number(), failed);
            runWaves(rollout, by);
            return;
        }
        claim(rollout, wave.number(), false);
    }

    /**
     * Fails the pull agents among {@code actions} that {@code eligible} lets through and that have not been heard of
     * (a check that took an offer, a report) for the pull deadline since their wave opened: fenced as any write, so
     * that a report racing in wins or loses whole.
     *
     * @return whether one was failed
     */
    private boolean failSilent(Rollout rollout, List<RolloutAction> actions, List<Wave> waves,
                               java.util.function.Predicate<RolloutAction> eligible) {
        Instant now = Instant.now();
        boolean failedOne = false;
        for (RolloutAction action : actions) {
            if (!PullAgents.isPull(action.server()) || action.step().isFinal() || !eligible.test(action)) {
                continue;
            }
            Optional<Instant> opened = waves.stream().filter(wave -> wave.number() == action.wave())
                    .map(Wave::startedAt).filter(java.util.Objects::nonNull).findFirst();
            if (opened.isEmpty()) {
                continue;
            }
            Instant heard = action.updatedAt() == null || action.updatedAt().isBefore(opened.get()) ? opened.get()
                    : action.updatedAt();
            if (heard.plus(pullDeadline).isAfter(now)) {
                continue;
            }
            String why = "silent: no check or report from the agent since " + heard + ", past the pull deadline of "
                    + pullDeadline.toSeconds() + " s";
            Optional<RolloutAction> claimed = repository.claim(action.id(), owner, now, now.plus(lease));
            if (claimed.isPresent()) {
                try {
                    repository.record(action.id(), claimed.get().fence(), new ActionUpdate(StepState.FAILED, null,
                            null, why, Map.of(), null, true, now));
                    tracker.tell(StepEvent.of(rollout.id(), action.server(), StepState.FAILED, why));
                    LOGGER.warn("Rollout {}: {} failed, {}", rollout.id(), action.server(), why);
                    failedOne = true;
                } catch (RuntimeException e) {
                    LOGGER.warn("Rollout {}: could not fail the silent {}; the next tick tries again", rollout.id(),
                            action.server(), e);
                }
            }
        }
        return failedOne;
    }

    private void halt(Rollout rollout, Wave wave, long failed, int size, Election by) {
        String why = "wave " + wave.number() + ": " + failed + " of " + size + " servers failed, reaching its max"
                + " errors of " + wave.maxErrors();
        if (rollout.options().onError() == OnError.ABORT) {
            lifecycle.abortOnErrors(rollout.id(), wave, why, by);
        } else {
            lifecycle.pauseOnErrors(rollout.id(), wave, why, by);
        }
    }

    /**
     * Writes once in the server's detail (and history) why it waits and until when; it stays pending and unleased, and
     * every tick asks its window again, so that a window changed or opened by the clock lets it start at once.
     */
    private void tellWaiting(Rollout rollout, RolloutAction action, String why, Instant now) {
        if (why.equals(action.detail())) {
            return;
        }
        repository.claim(action.id(), owner, now, now.plus(lease)).ifPresent(claimed -> {
            try {
                repository.defer(claimed.id(), claimed.fence(), now, why);
            } catch (RuntimeException e) {
                LOGGER.warn("Could not tell that {} of rollout {} waits for its window", action.server(),
                        rollout.id(), e);
            }
        });
    }

    /**
     * Claims the due actions of {@code wave} (of every wave when 0; only those begun when {@code begunOnly}), up to
     * the rollout's parallelism less those it has in flight (on any controller), and up to the free workers here: in
     * one transaction, in which another controller claiming at the same moment gets other actions. Under maintenance
     * windows each server that would start is looked at alone, as it may have to wait for its own window.
     */
    private void claim(Rollout rollout, int wave, boolean begunOnly) {
        int free = workers - inFlight.size();
        if (free <= 0 || stopping) {
            return;
        }
        Instant now = Instant.now();
        WindowGate.Look gate = windows.look();
        if (!gate.alwaysOpen()) {
            claimEach(rollout, repository.actions(rollout.id()).stream()
                    .filter(action -> wave == 0 || action.wave() == wave).toList(),
                    action -> !begunOnly || begun(action), gate);
            return;
        }
        for (RolloutAction claimed : repository.claimDue(rollout.id(), wave, begunOnly, rollout.parallelism(), free,
                Set.copyOf(inFlight), owner, now, now.plus(lease))) {
            hand(rollout, claimed);
        }
    }

    /**
     * Claims the actions {@code eligible} lets through, not ended and not leased, whose window is open, up to the
     * rollout's parallelism less those it has in flight (on any controller), and up to the free workers here; each
     * with one conditional update.
     */
    private void claimEach(Rollout rollout, List<RolloutAction> actions,
                           java.util.function.Predicate<RolloutAction> eligible, WindowGate.Look gate) {
        Instant now = Instant.now();
        long live = actions.stream().filter(action -> !action.step().isFinal() && action.leasedAt(now)).count();
        long room = Math.min(rollout.parallelism() - live, workers - inFlight.size());
        for (RolloutAction action : actions) {
            if (room <= 0 || stopping) {
                return;
            }
            // A pull agent comes to the patch server: no worker can reach it.
            if (PullAgents.isPull(action.server())) {
                continue;
            }
            if (action.step().isFinal() || action.leasedAt(now) || inFlight.contains(action.id())
                    || action.deferredAt(now) || !eligible.test(action)) {
                continue;
            }
            if (action.step() == StepState.PENDING) {
                Optional<MaintenanceWindows.Closed> closed = gate.closed(action.server());
                if (closed.isPresent()) {
                    tellWaiting(rollout, action, closed.get().why(), now);
                    continue;
                }
            }
            Optional<RolloutAction> claimed = repository.claim(action.id(), owner, now, now.plus(lease));
            if (claimed.isPresent()) {
                room--;
                hand(rollout, claimed.get());
            }
        }
    }

    private void hand(Rollout rollout, RolloutAction claimed) {
        inFlight.add(claimed.id());
        try {
            dispatch.accept(new ActionWorker.Claim(rollout, claimed));
        } catch (RuntimeException e) {
            // Its lease expires and a later tick claims it again.
            inFlight.remove(claimed.id());
            LOGGER.error("Could not hand {} of rollout {} to a worker", claimed.server(), rollout.id(), e);
        }
    }
}
