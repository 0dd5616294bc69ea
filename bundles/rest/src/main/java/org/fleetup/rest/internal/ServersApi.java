package org.fleetup.rest.internal;

import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;

/** The fleet: {@code GET /servers} lists it; {@code POST /servers} imports a CSV as {@code fleet:server-import}. */
@Path("/servers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "servers", description = "The fleet")
public interface ServersApi {

    /**
     * A server as the API shows it.
     *
     * @param hostKeyKnown whether a host key is trusted for it: one without is never connected to
     * @param version the version its last inspection read, or {@code null}
     * @param inspectedAt when it was last inspected, or {@code null}
     */
    record ServerView(String name, String cluster, URI address, String user, boolean hostKeyKnown,
                      Map<String, String> attributes, String version, Instant inspectedAt) {
    }

    /** What an import added. */
    record ImportView(int imported, List<String> servers, List<String> withoutHostKey) {
    }

    @GET
    @Operation(summary = "The servers, as fleet:server-list shows them",
            description = "Sortable by name, cluster, address, version, inspectedAt; default name:ASC.")
    Page<ServerView> list(@Parameter(description = "Only the servers of this cluster") @QueryParam("cluster")
                          String cluster,
                          @Parameter(description = "Where the page starts, from 0") @QueryParam("offset")
                          String offset,
                          @Parameter(description = "Most items, 1 to 500; default 50") @QueryParam("limit")
                          String limit,
                          @Parameter(description = "FIELD:ASC or FIELD:DESC") @QueryParam("sort") String sort);

    @POST
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    @Operation(summary = "Imports servers from CSV, every one or none, as fleet:server-import",
            description = "Header name,host,port,user,keyfile; optional cluster; optional address (ssh://, sftp://,"
                    + " http://, https://) overriding host and port; any other column an attribute."
                    + " 201 with the servers added.")
    Response importCsv(InputStream csv, @Context SecurityContext caller);
}
