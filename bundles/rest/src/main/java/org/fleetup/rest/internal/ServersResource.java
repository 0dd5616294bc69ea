package org.fleetup.rest.internal;

import java.io.InputStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.LoginSettings;

/** {@link ServersApi} over the inventory and the import the shell uses. */
public final class ServersResource implements ServersApi {

    private static final Map<String, Comparator<? super ServerView>> FIELDS = Map.of(
            "name", Sorting.by(ServerView::name),
            "cluster", Sorting.by(ServerView::cluster),
            "address", Sorting.by((ServerView s) -> s.address().toString()),
            "version", Sorting.by(ServerView::version),
            "inspectedAt", Sorting.by(ServerView::inspectedAt));

    private final Inventory inventory;
    private final ServerTrust trust;
    private final ServerImport serverImport;

    ServersResource(Inventory inventory, ServerTrust trust, ServerImport serverImport) {
        this.inventory = inventory;
        this.trust = trust;
        this.serverImport = serverImport;
    }

    @Override
    public Page<ServerView> list(String cluster, String offset, String limit, String sort) {
        List<ServerView> servers = inventory.servers(cluster).stream().map(this::view).toList();
        return Page.of(servers, offset, limit, sort, FIELDS, "name:ASC");
    }

    @Override
    public Response importCsv(InputStream csv, SecurityContext caller) {
        String actor = caller.getUserPrincipal().getName();
        ServerImport.Imported imported = serverImport.importCsv(csv, ServerImport.HostKeys.NONE, actor,
                () -> "from the REST API");
        List<String> names = imported.servers().stream().map(Server::name).toList();
        return Response.status(Response.Status.CREATED)
                .entity(new ImportView(names.size(), names, imported.withoutHostKey())).build();
    }

    private ServerView view(Server server) {
        Inspection last = inventory.lastInspection(server.name()).orElse(null);
        return new ServerView(server.name(), server.cluster(), server.address(), LoginSettings.user(server),
                trust.trusted(server).isPresent(), server.attributes(), last == null ? null : last.version(),
                last == null ? null : last.at());
    }
}
