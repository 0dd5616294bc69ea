package org.fleetup.rest.internal;

import java.io.InputStream;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.ws.rs.Consumes;
import javax.ws.rs.DELETE;
import javax.ws.rs.GET;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Context;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.Uploads;
import org.fleetup.api.release.Uploads.Upload;

/**
 * The updating-device handshake: {@code POST /uploads} asks to send a release and is granted or refused;
 * {@code PUT /uploads/{id}} sends the bytes, a {@code Content-Range} continuing where the last part stopped;
 * {@code POST /uploads/{id}/commit} adds them to the store.
 */
@Path("/uploads")
@Produces(MediaType.APPLICATION_JSON)
public final class UploadsResource {

    /** {@code bytes START-END/TOTAL}, as RFC 9110 writes a range of a PUT's content. */
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

    private final Uploads uploads;

    UploadsResource(Uploads uploads) {
        this.uploads = uploads;
    }

    /** Asks to send a release: 201 with the grant (its id, size and expiry) and its Location, or the refusal. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response request(Uploads.Request request) {
        if (request == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The body must be a JSON object: {\"product\","
                    + " \"version\", \"kind\", \"fileName\", \"size\", \"sha256\"}.");
        }
        Upload granted = uploads.request(request);
        return Response.created(URI.create("uploads/" + granted.id())).entity(granted).build();
    }

    /** Where an upload stands: how many bytes are in, so a device knows where to resume. */
    @GET
    @Path("{id}")
    public Upload get(@PathParam("id") String id) {
        return uploads.require(id);
    }

    /**
     * Sends bytes: the whole artifact, or with {@code Content-Range: bytes START-END/TOTAL} the part from START (the
     * bytes received so far), TOTAL being the size granted.
     */
    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Upload put(@PathParam("id") String id, @HeaderParam("Content-Range") String range, InputStream bytes) {
        long offset = 0;
        if (range != null) {
            Matcher matcher = CONTENT_RANGE.matcher(range.strip());
            long size = uploads.require(id).request().size();
            if (!matcher.matches() || Long.parseLong(matcher.group(3)) != size
                    || Long.parseLong(matcher.group(2)) < Long.parseLong(matcher.group(1))) {
                throw new FleetupException(FleetupException.UPLOAD_RANGE, "'Content-Range: " + range + "' is not"
                        + " 'bytes START-END/" + size + "' (the size granted). Nothing changed.");
            }
            offset = Long.parseLong(matcher.group(1));
        }
        return uploads.append(id, offset, bytes);
    }

    /** Adds a complete upload to the store: 201 with the release. */
    @POST
    @Path("{id}/commit")
    public Response commit(@PathParam("id") String id, @Context SecurityContext caller) {
        Release release = uploads.commit(id, caller.getUserPrincipal().getName());
        return Response.status(Response.Status.CREATED).entity(release).build();
    }

    /** Drops an upload and its bytes. */
    @DELETE
    @Path("{id}")
    public Response discard(@PathParam("id") String id) {
        uploads.require(id);
        uploads.discard(id);
        return Response.noContent().build();
    }
}
