package org.fleetup.patch.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.pull.PullAgentRecord;

/** The mirror registry's contract in memory; the JDBC one is tested in the inventory. */
final class MemoryMirrorRegistry implements MirrorRegistry {
    private final Map<String, Mirror> mirrors = new ConcurrentHashMap<>();
    private final Map<String, List<PullAgentRecord>> agents = new ConcurrentHashMap<>();
    private final List<MirrorAlarm> alarms = new ArrayList<>();
    private final Map<String, Long> sequences = new ConcurrentHashMap<>();

    @Override
    public void add(Mirror mirror) {
        mirrors.put(mirror.name(), mirror);
    }

    @Override
    public List<Mirror> mirrors() {
        return mirrors.values().stream().sorted(Comparator.comparing(Mirror::name)).toList();
    }

    @Override
    public Optional<Mirror> mirror(String name) {
        return Optional.ofNullable(mirrors.get(name));
    }

    @Override
    public void synced(String name, Instant at, int missing, String detail) {
        mirrors.computeIfPresent(name, (key, m) -> new Mirror(m.name(), m.url(), m.publicKey(), m.addedAt(), at,
                Mirror.IN_SYNC, detail, 0, missing));
    }

    @Override
    public void failed(String name, int failures, String detail) {
        mirrors.computeIfPresent(name, (key, m) -> new Mirror(m.name(), m.url(), m.publicKey(), m.addedAt(),
                m.lastSync(), Mirror.DOWN, detail, failures, m.missing()));
    }

    @Override
    public void syncing(String name) {
    }

    @Override
    public void mirrorAgents(String name, List<PullAgentRecord> records) {
        agents.put(name, List.copyOf(records));
    }

    @Override
    public List<PullAgentRecord> mirrorAgents(String name) {
        return agents.getOrDefault(name, List.of());
    }

    @Override
    public synchronized boolean raise(MirrorAlarm alarm) {
        if (alarms.stream().anyMatch(a -> a.open() && a.mirror().equals(alarm.mirror())
                && a.product().equals(alarm.product()) && a.version().equals(alarm.version())
                && a.scheduledAt().equals(alarm.scheduledAt()))) {
            return false;
        }
        alarms.add(alarm);
        return true;
    }

    @Override
    public synchronized boolean clear(String mirror, String product, Instant at) {
        boolean cleared = false;
        for (int i = 0; i < alarms.size(); i++) {
            MirrorAlarm a = alarms.get(i);
            if (a.open() && a.mirror().equals(mirror) && a.product().equals(product)) {
                alarms.set(i, new MirrorAlarm(a.mirror(), a.product(), a.version(), a.scheduledAt(),
                        a.agentsBehind(), a.raisedAt(), at));
                cleared = true;
            }
        }
        return cleared;
    }

    @Override
    public synchronized List<MirrorAlarm> alarms(boolean openOnly) {
        return alarms.stream().filter(a -> !openOnly || a.open()).toList();
    }

    @Override
    public synchronized boolean acceptSequence(String keyId, long sequence) {
        Long last = sequences.get(keyId);
        if (last != null && last >= sequence) {
            return false;
        }
        sequences.put(keyId, sequence);
        return true;
    }
}
