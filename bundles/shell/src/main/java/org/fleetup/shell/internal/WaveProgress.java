package org.fleetup.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.fleetup.api.rollout.RolloutServer;

/**
 * How far a rollout is through its waves, read from its servers (each knows its wave): "2/4" is the second of four
 * waves under way; "-" a rollout of no waves.
 */
final class WaveProgress {

    private WaveProgress() {
    }

    static String of(List<RolloutServer> servers) {
        Map<Integer, List<RolloutServer>> byWave = servers.stream().filter(s -> s.wave() > 0)
                .collect(Collectors.groupingBy(RolloutServer::wave, TreeMap::new, Collectors.toList()));
        if (byWave.isEmpty()) {
            return "-";
        }
        // The wave under way is the first with a server not ended; all ended, the last.
        int current = byWave.entrySet().stream()
                .filter(e -> e.getValue().stream().anyMatch(s -> !s.state().isFinal()))
                .map(Map.Entry::getKey).findFirst().orElse(((TreeMap<Integer, ?>) byWave).lastKey());
        return current + "/" + byWave.size();
    }
}
