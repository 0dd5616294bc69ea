package org.fleetup.routes.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullAgents;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.OnError;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.ServerOrder;
import org.fleetup.api.rollout.Size;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PullRollouts} on the rollout engine: a published release is a rollout whose servers are pull agents
 * ({@link PullAgents#server}); the engine opens its waves and stops it on their max errors; this class joins the agents
 * that come later, tells the patch server whose turn it is, and writes the steps the agents report, fenced as a
 * worker's are. Its waves are the schedule's: {@code waveSize} agents each (one wave of all when 0), each stopped at
 * {@code maxErrors} failures (never when 0).
 */
final class PullDeployments implements PullRollouts {

    private static final Logger LOGGER = LoggerFactory.getLogger(PullDeployments.class);
    /**
     * When an agent whose wave opens at the next tick of the engine is told to come back: soon, rather than after its
     * interval (30 minutes by default).
     */
    private static final Duration SOON = Duration.ofSeconds(2);
    private static final String OWNER = "patch-server";

    private final RolloutRepository repository;
    private final RolloutLifecycle lifecycle;
    private final RolloutTracker tracker;
    private final PullRegistry registry;
    private final ReleaseStore store;
    private final Planner planner;
    private final Duration lease;

    PullDeployments(RolloutRepository repository, RolloutLifecycle lifecycle, RolloutTracker tracker,
                    PullRegistry registry, ReleaseStore store, Planner planner, Duration lease) {
        this.repository = repository;
        this.lifecycle = lifecycle;
        this.tracker = tracker;
        this.registry = registry;
        this.store = store;
        this.planner = planner;
        this.lease = lease;
    }

    @Override
    public synchronized ScheduledRelease publish(ScheduledRelease release, String actor) {
        Release artifact = store.require(release.product(), release.version());
        registry.scheduled(release.product()).map(ScheduledRelease::rollout).flatMap(repository::summary)
                .filter(earlier -> !earlier.status().isFinal())
                .ifPresent(earlier -> lifecycle.cancel(earlier.id(), actor + " (replaced by " + release.coordinates()
                        + ")"));
        Instant now = Instant.now();
        List<String> held = repository.unfinished().stream().flatMap(rollout -> rollout.servers().stream()).toList();
        Map<String, PullAgentRecord> agents = registry.agents().stream()
                .filter(agent -> agent.product().equals(release.product()))
                .collect(Collectors.toMap(PullAgentRecord::mac, Function.identity()));
        List<String> needing = plan(artifact, false).stream()
                .filter(entry -> entry.decision() == Decision.UPGRADE || entry.decision() == Decision.INSTALL)
                .map(PlanEntry::server)
                .filter(server -> !held.contains(server))
                .filter(server -> !release.version().equals(agents.get(mac(server)).failedVersion()))
                // Only those expected: an agent whose next check has passed may be gone, and would hold a wave until
                // the deadline; it joins when it comes back. Those expected first fill the first waves.
                .filter(server -> expected(agents.get(mac(server)), now))
                .sorted(Comparator.comparing((String server) -> agents.get(mac(server)).nextCheck()))
                .toList();
        ScheduledRelease recorded = release.withRollout(start(release, needing, now, actor).id());
        registry.schedule(recorded);
        return recorded;
    }

    private static boolean expected(PullAgentRecord agent, Instant now) {
        return agent.nextCheck() != null && agent.nextCheck().isAfter(now);
    }

    private Rollout start(ScheduledRelease release, List<String> agents, Instant now, String actor) {
        RolloutOptions options = options(release);
        Rollout rollout = new Rollout(UUID.randomUUID().toString(), release.product(), release.version(), agents,
                Math.max(1, agents.size()), false, RolloutStatus.SCHEDULED, now,
                release.at().isBefore(now) ? now : release.at(), null, null, options, actor);
        List<Wave> waves = new ArrayList<>();
        for (int size : options.waveSizes(agents.size())) {
            waves.add(new Wave(rollout.id(), waves.size() + 1, size, maxErrors(release), WaveStatus.PENDING, null,
                    null));
        }
        lifecycle.create(rollout, waves, actor, rollout.id() + " " + release.coordinates() + " to " + agents.size()
                + " pull agents in " + waves.size() + " waves (" + (release.waveSize() > 0 ? release.waveSize()
                + " agents each" : "all at once") + (release.maxErrors() > 0 ? ", max errors " + release.maxErrors()
                : "") + "), at " + rollout.startAt() + "; agents that check later join it");
        LOGGER.info("Rollout {} brings {} to {} pull agents from {}", rollout.id(), release.coordinates(),
                agents.size(), rollout.startAt());
        return rollout;
    }

    private static RolloutOptions options(ScheduledRelease release) {
        Size wave = release.waveSize() > 0 ? Size.count(release.waveSize()) : Size.percent(100);
        // Shown with the rollout; its waves hold the max errors themselves ("never" is more than a wave can fail).
        Size errors = release.maxErrors() > 0 ? Size.count(release.maxErrors()) : Size.percent(100);
        return new RolloutOptions(wave, wave, errors, OnError.PAUSE, ServerOrder.NAME, 1, false);
    }

    // A wave whose failures reach its max errors stops the rollout; 0 means never, which no count of a wave reaches.
    private static int maxErrors(ScheduledRelease release) {
        return release.maxErrors() > 0 ? release.maxErrors() : Integer.MAX_VALUE;
    }

    @Override
    public synchronized Turn turn(ScheduledRelease release, String mac) {
        String server = PullAgents.server(mac);
        Instant now = Instant.now();
        // The rollout's row and this agent's action alone: a check costs the same whatever the rollout's size.
        Optional<Rollout> rollout = Optional.ofNullable(release.rollout()).flatMap(repository::summary);
        // One that finished on a wave that reached its max errors (its last) offers it to no one more.
        if (rollout.isEmpty() || rollout.get().status() == RolloutStatus.FINISHED
                && repository.action(rollout.get().id(), server).isEmpty()
                && repository.waves(rollout.get().id()).stream().noneMatch(w -> w.status() == WaveStatus.HALTED)) {
            // Checked after its rollout ended, or published before schedules had rollouts: a rollout of its own.
            Rollout own;
            try {
                own = start(release, List.of(server), now, "patch-server");
            } catch (FleetupException held) {
                return new Turn(false, null, held.getMessage());
            }
            registry.schedule(release.withRollout(own.id()));
            return new Turn(false, now.plus(SOON), "a rollout of its own, " + own.id() + ", starts");
        }
        Rollout current = rollout.get();
        if (current.status().isFinal()) {
            return new Turn(false, null, "rollout " + current.id() + " ended " + current.status());
        }
        Optional<RolloutAction> action = repository.action(current.id(), server);
        if (action.isEmpty()) {
            try {
                repository.join(current.id(), server, release.waveSize(), maxErrors(release), now);
            } catch (FleetupException held) {
                return new Turn(false, null, held.getMessage());
            }
            action = repository.action(current.id(), server);
        }
        if (action.isEmpty() || action.get().step().isFinal()) {
            return new Turn(false, null, action.map(a -> "its step in rollout " + current.id() + " ended "
                    + a.step()).orElse("not in rollout " + current.id()));
        }
        if (current.status() == RolloutStatus.SCHEDULED) {
            Instant at = current.startAt().isAfter(now) ? current.startAt() : now.plus(SOON);
            return new Turn(false, at, "rollout " + current.id() + " starts at " + current.startAt());
        }
        if (current.status() != RolloutStatus.RUNNING) {
            return new Turn(false, null, "rollout " + current.id() + " is " + current.status()
                    + (current.detail() == null ? "" : ": " + current.detail()));
        }
        int mine = action.get().wave();
        Optional<Wave> wave = repository.waves(current.id()).stream().filter(w -> w.number() == mine).findFirst();
        if (wave.isPresent() && wave.get().status() == WaveStatus.RUNNING) {
            return new Turn(true, null, "wave " + wave.get().number() + " of rollout " + current.id() + " is open");
        }
        boolean next = wave.isPresent() && wave.get().status() == WaveStatus.PENDING && repository.waves(current.id())
                .stream().noneMatch(w -> w.status() == WaveStatus.RUNNING);
        return new Turn(false, next ? now.plus(SOON) : null, "its wave "
                + wave.map(w -> w.number() + " is " + w.status()).orElse("is unknown") + " in rollout "
                + current.id());
    }

    @Override
    public synchronized void step(ScheduledRelease release, String mac, StepState step, String detail) {
        String server = PullAgents.server(mac);
        // The schedule's rollout, or, for a report of an offer made before the schedule changed, the rollout of that
        // release which holds the agent still.
        Optional<RolloutAction> action = Optional.ofNullable(release.rollout())
                .flatMap(rollout -> repository.action(rollout, server))
                .or(() -> repository.unfinishedSummaries().stream()
                        .filter(rollout -> rollout.product().equals(release.product())
                                && rollout.version().equals(release.version()))
                        .flatMap(rollout -> repository.action(rollout.id(), server).stream())
                        .findFirst());
        // An offer made again (the agent lost it) is no news: only the first one, to a pending agent, is a step.
        if (action.isEmpty() || action.get().step().isFinal() || action.get().step() == step
                || step == StepState.CONNECTING && action.get().step() != StepState.PENDING) {
            return;
        }
        Instant now = Instant.now();
        String rollout = action.get().rollout();
        Optional<RolloutAction> claimed = repository.claim(action.get().id(), OWNER, now, now.plus(lease));
        if (claimed.isEmpty()) {
            LOGGER.warn("Rollout {}: the step {} of {} is not recorded, as its action is held", rollout, step,
                    server);
            return;
        }
        String from = step == StepState.CONNECTING ? registry.agent(mac).map(PullAgentRecord::version)
                .filter(version -> !version.isEmpty()).orElse(null) : null;
        String to = step == StepState.DONE ? release.version() : null;
        repository.record(action.get().id(), claimed.get().fence(), new ActionUpdate(step, from, to, detail, Map.of(),
                null, true, now));
        tracker.tell(StepEvent.of(rollout, server, step, detail));
    }

    @Override
    public List<PlanEntry> plan(Release release, boolean allowDowngrade) {
        List<PullAgentRecord> agents = registry.agents().stream()
                .filter(agent -> agent.product().equals(release.product())).toList();
        List<Inspection> reported = agents.stream().map(agent -> new Inspection(PullAgents.server(agent.mac()),
                agent.product(), agent.version().isEmpty() ? Inspection.Status.NOT_INSTALLED : Inspection.Status.OK,
                agent.version().isEmpty() ? null : agent.version(), "as the agent reported at its last check",
                agent.lastCheck(), Duration.ZERO)).toList();
        Map<String, PullAgentRecord> byServer = agents.stream()
                .collect(Collectors.toMap(agent -> PullAgents.server(agent.mac()), Function.identity()));
        return planner.plan(release, reported, allowDowngrade).entries().stream()
                .map(entry -> new PlanEntry(entry.server(), entry.running(), entry.decision(), entry.reason()
                        + "; pull agent, next check " + next(byServer.get(entry.server()))))
                .toList();
    }

    private static String next(PullAgentRecord agent) {
        return agent.nextCheck() == null ? "unknown" : "at " + agent.nextCheck();
    }

    private static String mac(String server) {
        return PullAgents.mac(server).orElseThrow();
    }
}
