package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.fleetup.api.rollout.ActionUpdate;
import org.fleetup.api.rollout.Election;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutAction;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;
import org.fleetup.api.upgrade.StepState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a tick reads of the inventory: each rollout's row and its waves' counts, never every server of it, so that a
 * tick costs the same at any size of rollout. The real repository is watched through a proxy counting each read.
 */
class TickReadsTest {

    /** The reads that return a row per server of a rollout. */
    private static final List<String> PER_SERVER = List.of("actions", "unfinished", "rollout", "rollouts", "servers");

    @TempDir
    Path dir;

    private TestController controller;
    private final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final List<String> claimed = new CopyOnWriteArrayList<>();
    private RolloutEngine engine;

    @BeforeEach
    void open() {
        controller = new TestController(dir);
        RolloutRepository real = controller.repository;
        RolloutRepository watched = (RolloutRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {RolloutRepository.class}, (proxy, method, arguments) -> {
                    reads.computeIfAbsent(method.getName(), name -> new AtomicInteger()).incrementAndGet();
                    try {
                        return method.invoke(real, arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        RolloutTracker tracker = new RolloutTracker(watched, "ctl-1/a");
        engine = new RolloutEngine(watched, new RolloutLifecycle(watched, controller.inventory, tracker), tracker,
                "ctl-1/a", Duration.ofSeconds(60), 4);
        engine.dispatchTo(claim -> claimed.add(claim.action().server()));
        Instant now = Instant.now();
        long fence = real.elect(ControllerPresence.DECISIONS, "ctl-1/a", now, now.plusSeconds(600)).orElseThrow();
        engine.decide(new Election(ControllerPresence.DECISIONS, "ctl-1/a", fence), now.plusSeconds(600));
    }

    @AfterEach
    void close() {
        controller.close();
    }

    @Test
    void aTickOfARunningRolloutReadsNoRowPerServer() {
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        List<String> servers = IntStream.range(0, 50).mapToObj(i -> "s" + i).toList();
        controller.repository.create(new Rollout(id, "demo-app", "2.0.0", servers, 4, false, RolloutStatus.RUNNING,
                now, now, null, null), List.of(new Wave(id, 1, 10, 3, WaveStatus.PENDING, null, null),
                new Wave(id, 2, 40, 3, WaveStatus.PENDING, null, null)));

        engine.tick();
        assertThat(claimed).as("the first wave opened, four claimed").containsExactly("s0", "s1", "s2", "s3");
        for (RolloutAction action : controller.repository.actions(id)) {
            if (action.wave() == 1) {
                controller.repository.record(action.id(), action.fence(), new ActionUpdate(StepState.DONE, "1.0",
                        "2.0.0", "upgraded", Map.of(), null, true, Instant.now()));
                engine.ended(action.id());
            }
        }
        engine.tick();
        assertThat(controller.repository.waves(id)).extracting(Wave::status)
                .containsExactly(WaveStatus.DONE, WaveStatus.RUNNING);
        assertThat(claimed).as("the next wave's first four").endsWith("s10", "s11", "s12", "s13");

        assertThat(reads.keySet()).as("reads of every server of a rollout").doesNotContainAnyElementsOf(PER_SERVER);
    }
}
