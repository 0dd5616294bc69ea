package org.fleetup.patch.internal;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Semaphore;

import javax.ws.rs.Consumes;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.UriInfo;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.PatchCheck;
import org.fleetup.api.FleetupException;

/**
 * The agents' side of the patch server, hawkBit DDI-like: an agent is known by its MAC in the path and holds no
 * credentials (what it installs is decided by the offer's signature, which it verifies). {@code POST
 * agents/{mac}/check} takes a {@link PatchCheck} and answers a {@code PatchAnswer}; {@code POST agents/{mac}/feedback}
 * takes a step it reports (JSON). More checks at once than the server is set to take are answered 503 with
 * {@code Retry-After}, which the agents obey.
 */
@Path("/agents/{mac}")
public class PatchResource {

    private final PatchService service;
    private final Semaphore checks;
    private final int retryAfterSeconds;
    private final ObjectMapper json = new ObjectMapper();

    public PatchResource(PatchService service, int maxConcurrentChecks, int retryAfterSeconds) {
        this.service = service;
        this.checks = new Semaphore(maxConcurrentChecks);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @POST
    @Path("check")
    @Consumes(MediaType.TEXT_PLAIN)
    @Produces(MediaType.TEXT_PLAIN)
    public Response check(@PathParam("mac") String mac, @HeaderParam("Host") String host, String body,
                          @Context UriInfo uri) {
        if (!checks.tryAcquire()) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).header("Retry-After", retryAfterSeconds)
                    .type(MediaType.TEXT_PLAIN).entity("busy: come back in " + retryAfterSeconds + " s\n").build();
        }
        try {
            PatchCheck check = PatchCheck.parse(body == null ? "" : body);
            // The address as the agent typed it (its Host header): the container's base URI names its own host.
            URI base = uri.getBaseUri();
            URI self = URI.create(base.getScheme() + "://" + (host == null || host.isBlank() ? base.getRawAuthority()
                    : host.strip()));
            return Response.ok(service.check(mac, check, self).text(), MediaType.TEXT_PLAIN).build();
        } catch (IllegalArgumentException e) {
            return badRequest("The check does not parse: " + e.getMessage());
        } catch (FleetupException e) {
            if (FleetupException.INVALID_INPUT.equals(e.code())) {
                return badRequest(e.getMessage());
            }
            throw e;
        } finally {
            checks.release();
        }
    }

    @POST
    @Path("feedback")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response feedback(@PathParam("mac") String mac, String body) {
        Map<String, Object> message;
        try {
            message = json.readValue(body, new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            return badRequest("The feedback is not a JSON object: " + e.getMessage());
        }
        try {
            service.feedback(mac, message);
        } catch (FleetupException e) {
            if (FleetupException.INVALID_INPUT.equals(e.code())) {
                return badRequest(e.getMessage());
            }
            throw e;
        }
        return Response.noContent().build();
    }

    private static Response badRequest(String message) {
        return Response.status(Response.Status.BAD_REQUEST).type(MediaType.TEXT_PLAIN).entity(message + "\n").build();
    }
}
