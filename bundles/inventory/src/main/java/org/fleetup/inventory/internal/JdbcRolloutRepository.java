package org.fleetup.inventory.internal;

import java.util.List;
import java.util.Optional;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutRepository;
import org.fleetup.api.rollout.RolloutServer;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The rollouts and the per-server state of each, kept in the inventory database. */
@Component(service = RolloutRepository.class)
public final class JdbcRolloutRepository implements RolloutRepository {

    private final RolloutTable rollouts;

    @Activate
    public JdbcRolloutRepository(@Reference InventoryDatabase database) {
        this.rollouts = new RolloutTable(database);
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
}
