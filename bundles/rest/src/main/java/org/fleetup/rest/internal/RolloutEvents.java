package org.fleetup.rest.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream of a rollout's events: first where each server stands, then every step change as the engine
 * tells it ({@link Rollouts#watch}), then, when the rollout ends, a {@code completion} event naming every server that
 * failed and why, and the stream closes. A pause is told as a {@code paused} event with the same list; the stream goes
 * on, since the rollout may be resumed. Progress within a step (bytes sent) is not a change, and is not sent.
 */
final class RolloutEvents {

    /** A server's step changed. */
    record Step(String rollout, String server, StepState step, String detail, Instant at) {
    }

    /** A server (or pull agent, {@code pull:<MAC>}) that did not get {@code release}, and why. */
    record Failure(String server, String release, String outcome, String detail, String runs) {
    }

    /** The rollout stopped: ended ({@code completion}) or paused ({@code paused}). */
    record Stop(String rollout, RolloutStatus status, String detail, int servers, List<Failure> failed) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(RolloutEvents.class);
    /** How often a paused rollout is asked whether it stopped pausing. */
    private static final Duration PAUSED_RECHECK = Duration.ofSeconds(1);

    private final Rollouts rollouts;
    private final String id;
    private final SseEventSink sink;
    private final Sse sse;
    private final ObjectMapper json;
    private final Map<String, StepState> last = new HashMap<>();
    private long sent;
    private boolean toldPaused;
    private AutoCloseable watching;

    RolloutEvents(Rollouts rollouts, String id, SseEventSink sink, Sse sse, ObjectMapper json) {
        this.rollouts = rollouts;
        this.id = id;
        this.sink = sink;
        this.sse = sse;
        this.json = json;
    }

    /** Watches first, then tells where each server stands, so that no change falls between the two. */
    synchronized void start() {
        watching = rollouts.watch(id, this::onStep);
        for (RolloutServer server : rollouts.servers(id)) {
            step(new Step(id, server.server(), server.state(), server.detail(), server.updatedAt()));
        }
        awaitStop();
    }

    private void awaitStop() {
        if (sink.isClosed()) {
            close(); // the client went away
            return;
        }
        rollouts.completion(id).whenComplete((rollout, failure) -> {
            if (failure != null) {
                LOG.warn("Events of rollout {}: its completion failed", id, failure);
                close();
            } else {
                stopped(rollout);
            }
        });
    }

    private void onStep(StepEvent event) {
        step(new Step(event.rollout(), event.server(), event.state(), event.detail(), event.at()));
    }

    private synchronized void step(Step step) {
        if (step.step() != last.put(step.server(), step.step())) {
            toldPaused = false; // the rollout moves again: its next pause is news
            send("step", step);
        }
    }

    private synchronized void stopped(Rollout rollout) {
        List<RolloutServer> servers = rollouts.servers(id);
        List<Failure> failed = servers.stream().filter(s -> ReportStatus.of(s).isFailure())
                .map(s -> new Failure(s.server(), rollout.product() + "/" + rollout.version(), ReportStatus.of(s).label(),
                        s.detail(), s.to())).toList();
        Stop stop = new Stop(id, rollout.status(), rollout.detail(), servers.size(), failed);
        if (rollout.status().isFinal()) {
            send("completion", stop);
            close();
        } else {
            // A paused rollout's completion answers at once, paused, until an operator resumes or cancels it: told
            // once, then asked again a while later, not in a loop.
            if (!toldPaused) {
                send("paused", stop);
                toldPaused = true;
            }
            CompletableFuture.runAsync(this::awaitStop,
                    CompletableFuture.delayedExecutor(PAUSED_RECHECK.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private void send(String name, Object data) {
        if (sink.isClosed()) {
            close(); // the client went away
            return;
        }
        String text;
        try {
            text = json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + data + " as JSON", e);
        }
        sink.send(sse.newEventBuilder().id(Long.toString(++sent)).name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, text).build());
    }

    private synchronized void close() {
        try {
            if (watching != null) {
                watching.close();
                watching = null;
            }
        } catch (Exception e) {
            LOG.warn("Events of rollout {}: could not stop watching it", id, e);
        }
        sink.close();
    }
}
