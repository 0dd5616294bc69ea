package org.fleetup.rest.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's stream of the mirrors' overdue alarms: a {@code raised} event for each alarm open when it connects and
 * for each raised after, a {@code cleared} event for each cleared, until the client goes away. The alarms are raised
 * and cleared by the primary's syncs, in the inventory (possibly by another controller), so the stream reads them
 * there, once a second, rather than listening to one process.
 */
final class MirrorAlarmEvents {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorAlarmEvents.class);
    private static final Duration POLL = Duration.ofSeconds(1);

    private final MirrorRegistry registry;
    private final SseEventSink sink;
    private final Sse sse;
    private final ObjectMapper json;
    private Map<String, MirrorAlarm> open = new HashMap<>();
    private long sent;

    MirrorAlarmEvents(MirrorRegistry registry, SseEventSink sink, Sse sse, ObjectMapper json) {
        this.registry = registry;
        this.sink = sink;
        this.sse = sse;
        this.json = json;
    }

    void start() {
        poll();
    }

    private synchronized void poll() {
        if (sink.isClosed()) {
            return; // the client went away
        }
        try {
            Map<String, MirrorAlarm> now = new LinkedHashMap<>();
            registry.alarms(true).forEach(alarm -> now.put(key(alarm), alarm));
            now.forEach((key, alarm) -> {
                if (!open.containsKey(key)) {
                    send("raised", alarm);
                }
            });
            for (Map.Entry<String, MirrorAlarm> was : open.entrySet()) {
                if (!now.containsKey(was.getKey())) {
                    send("cleared", registry.alarms(false).stream().filter(alarm -> !alarm.open()
                            && key(alarm).equals(was.getKey())).findFirst().orElse(was.getValue()));
                }
            }
            open = now;
        } catch (RuntimeException e) {
            // The inventory away a moment: the stream goes on, and tells what changed meanwhile at the next poll.
            LOG.warn("The mirror alarm events could not read the alarms: {}", e.getMessage());
        }
        if (!sink.isClosed()) {
            CompletableFuture.runAsync(this::poll,
                    CompletableFuture.delayedExecutor(POLL.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static String key(MirrorAlarm alarm) {
        return alarm.mirror() + "\n" + alarm.product() + "\n" + alarm.version() + "\n" + alarm.scheduledAt();
    }

    private void send(String name, MirrorAlarm alarm) {
        String text;
        try {
            text = json.writeValueAsString(alarm);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + alarm + " as JSON", e);
        }
        sink.send(sse.newEventBuilder().id(Long.toString(++sent)).name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class, text).build());
    }
}
