package org.fleetup.patch.internal;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.ScheduledRelease;

/** The registry's contract in memory; the JDBC one is tested in the inventory. */
final class MemoryPullRegistry implements PullRegistry {
    private final Map<String, PullAgentRecord> agents = new ConcurrentHashMap<>();
    private final Map<String, ScheduledRelease> schedules = new ConcurrentHashMap<>();
    private final Map<String, URI> moves = new ConcurrentHashMap<>();

    @Override
    public void checked(PullAgentRecord check) {
        PullAgentRecord was = agents.get(check.mac());
        agents.put(check.mac(), was == null ? check : new PullAgentRecord(check.mac(), check.address(),
                check.product(), check.version(), check.lastCheck(), check.nextCheck(), check.server(),
                was.status(), was.detail(), was.failedVersion(), was.offeredVersion()));
    }

    @Override
    public void reported(String mac, String version, String status, String detail, Instant at) {
        PullAgentRecord was = agents.get(mac);
        agents.put(mac, new PullAgentRecord(mac, was.address(), was.product(),
                "done".equals(status) ? version : was.version(), was.lastCheck(), was.nextCheck(), was.server(),
                status, detail, "rolled-back".equals(status) || "failed".equals(status) ? version
                : was.failedVersion(), was.offeredVersion()));
    }

    @Override
    public void offered(String mac, String version) {
        PullAgentRecord was = agents.get(mac);
        agents.put(mac, new PullAgentRecord(mac, was.address(), was.product(), was.version(), was.lastCheck(),
                was.nextCheck(), was.server(), was.status(), was.detail(), was.failedVersion(), version));
    }

    @Override
    public List<PullAgentRecord> agents() {
        return new ArrayList<>(agents.values());
    }

    @Override
    public Optional<PullAgentRecord> agent(String mac) {
        return Optional.ofNullable(agents.get(mac));
    }

    @Override
    public void schedule(ScheduledRelease release) {
        schedules.put(release.product(), release);
    }

    @Override
    public Optional<ScheduledRelease> scheduled(String product) {
        return Optional.ofNullable(schedules.get(product));
    }

    @Override
    public List<ScheduledRelease> schedules() {
        return new ArrayList<>(schedules.values());
    }

    @Override
    public void redirect(URI to, List<String> macs) {
        (macs.isEmpty() ? List.of("*") : macs).forEach(mac -> moves.put(mac, to));
    }

    @Override
    public Optional<URI> redirect(String mac) {
        return Optional.ofNullable(moves.getOrDefault(mac, moves.get("*")));
    }
}
