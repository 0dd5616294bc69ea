package org.fleetup.inventory.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.AuditEntry;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseCatalog;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The fleet and the release catalog, kept in the inventory database. The rollouts are kept in the same database by
 * {@link JdbcRolloutRepository}: {@code RolloutRepository.servers(String)} and {@code Inventory.servers(String)}
 * differ only in their return type, so one class cannot offer both.
 */
@Component(service = {Inventory.class, ServerTrust.class, ReleaseCatalog.class})
public final class JdbcInventory implements Inventory, ServerTrust, ReleaseCatalog {

    private final ServerTrustTable trust;
    private final ServerTable servers;
    private final InspectionTable inspections;
    private final ReleaseTable releases;
    private final AuditTable audit;

    @Activate
    public JdbcInventory(@Reference InventoryDatabase database) {
        this.trust = new ServerTrustTable(database);
        this.servers = new ServerTable(database, trust);
        this.inspections = new InspectionTable(database);
        this.releases = new ReleaseTable(database);
        this.audit = new AuditTable(database);
    }

    @Override
    public void addServers(List<Server> list, Map<String, String> trusted) {
        servers.add(list, trusted);
    }

    @Override
    public void putServers(List<Server> list, Map<String, String> trusted, Predicate<Server> replaceable) {
        servers.put(list, trusted, replaceable);
    }

    @Override
    public Optional<Server> server(String name) {
        return servers.find(name);
    }

    @Override
    public List<Server> servers(String cluster) {
        return servers.list(cluster);
    }

    @Override
    public Optional<String> trusted(Server server) {
        return trust.trusted(server);
    }

    @Override
    public void trust(Server server, String value) {
        if (!trust.trust(server, value)) {
            throw ServerTable.notFound(server.name());
        }
    }

    @Override
    public boolean forget(String server) {
        return trust.forget(server);
    }

    @Override
    public boolean removeServer(String name) {
        return servers.remove(name);
    }

    @Override
    public void recordInspection(Inspection inspection) {
        inspections.record(inspection);
    }

    @Override
    public Optional<Inspection> lastInspection(String server) {
        return inspections.last(server);
    }

    @Override
    public void audit(String actor, String action, String detail) {
        audit.add(actor, action, detail);
    }

    @Override
    public List<AuditEntry> audit(int limit) {
        return audit.latest(limit);
    }

    @Override
    public void addRelease(Release release) {
        releases.add(release);
    }

    @Override
    public Optional<Release> release(String product, String version) {
        return releases.find(product, version);
    }

    @Override
    public List<Release> releases() {
        return releases.list();
    }
}
