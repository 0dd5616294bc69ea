package org.fleetup.rest.internal;

import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.ws.rs.sse.Sse;
import javax.ws.rs.sse.SseEventSink;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;

/** {@link MirrorsApi} over the mirror registry. */
public final class MirrorsResource implements MirrorsApi {

    /** A mirror with its open alarms. */
    public record MirrorView(String name, URI url, String publicKey, Instant lastSync, String state, String detail,
                             int failures, int missing, List<MirrorAlarm> alarms) {
    }

    private static final Map<String, Comparator<? super MirrorView>> FIELDS = Map.of(
            "name", Sorting.by(MirrorView::name),
            "lastSync", Sorting.by(MirrorView::lastSync),
            "state", Sorting.by(MirrorView::state));
    private static final Map<String, Comparator<? super MirrorAlarm>> ALARM_FIELDS = Map.of(
            "raisedAt", Sorting.by(MirrorAlarm::raisedAt),
            "mirror", Sorting.by(MirrorAlarm::mirror));

    private final MirrorRegistry registry;
    private final ObjectMapper json;

    MirrorsResource(MirrorRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    @Override
    public Page<MirrorView> list(String offset, String limit, String sort) {
        List<MirrorAlarm> open = registry.alarms(true);
        List<MirrorView> views = registry.mirrors().stream().map((Mirror m) -> new MirrorView(m.name(), m.url(),
                m.publicKey(), m.lastSync(), m.state(), m.detail(), m.failures(), m.missing(),
                open.stream().filter(alarm -> alarm.mirror().equals(m.name())).toList())).toList();
        return Page.of(views, offset, limit, sort, FIELDS, "name:ASC");
    }

    @Override
    public Page<MirrorAlarm> alarms(boolean all, String offset, String limit, String sort) {
        return Page.of(registry.alarms(!all), offset, limit, sort, ALARM_FIELDS, "raisedAt:DESC");
    }

    @Override
    public void alarmEvents(SseEventSink sink, Sse sse) {
        new MirrorAlarmEvents(registry, sink, sse, json).start();
    }
}
