package org.fleetup.rest.internal;

import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import javax.ws.rs.Consumes;
import javax.ws.rs.GET;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;

/** The fleet: {@code GET /servers} lists it, {@code POST /servers} imports a CSV as {@code fleet:server-import} does. */
@Path("/servers")
@Produces(MediaType.APPLICATION_JSON)
public final class ServersResource {

    /**
     * A server as the API shows it.
     *
     * @param hostKeyKnown whether a host key is trusted for it: one without is never connected to
     * @param version the version its last inspection read, or {@code null}
     * @param inspectedAt when it was last inspected, or {@code null}
     */
    public record ServerView(String name, String cluster, URI address, String user, boolean hostKeyKnown,
                             Map<String, String> attributes, String version, Instant inspectedAt) {
    }

    /** What an import added. */
    public record ImportView(int imported, List<String> servers, List<String> withoutHostKey) {
    }

    private static final Map<String, Comparator<? super ServerView>> FIELDS = Map.of(
            "name", Sorting.by(ServerView::name),
            "cluster", Sorting.by(ServerView::cluster),
            "address", Sorting.by((ServerView s) -> s.address().toString()),
            "version", Sorting.by(ServerView::version),
            "inspectedAt", Sorting.by(ServerView::inspectedAt));

    private final Inventory inventory;
    private final ServerImport serverImport;

    ServersResource(Inventory inventory, ServerImport serverImport) {
        this.inventory = inventory;
        this.serverImport = serverImport;
    }

    @GET
    public Page<ServerView> list(@QueryParam("cluster") String cluster, @QueryParam("offset") String offset,
                                 @QueryParam("limit") String limit, @QueryParam("sort") String sort) {
        List<ServerView> servers = inventory.servers(cluster).stream().map(this::view).toList();
        return Page.of(servers, offset, limit, sort, FIELDS, "name:ASC");
    }

    /** Imports a CSV, all its servers or none; 201 with what was added. */
    @POST
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    public Response importCsv(InputStream csv, @Context SecurityContext caller) {
        String actor = caller.getUserPrincipal().getName();
        ServerImport.Imported imported = serverImport.importCsv(csv, ServerImport.HostKeys.NONE, actor,
                () -> "from the REST API");
        List<String> names = imported.servers().stream().map(Server::name).toList();
        return Response.status(Response.Status.CREATED)
                .entity(new ImportView(names.size(), names, imported.withoutHostKey())).build();
    }

    private ServerView view(Server server) {
        Inspection last = inventory.lastInspection(server.name()).orElse(null);
        return new ServerView(server.name(), server.cluster(), server.address(), server.user(),
                server.hostKey() != null, server.attributes(), last == null ? null : last.version(),
                last == null ? null : last.at());
    }
}
