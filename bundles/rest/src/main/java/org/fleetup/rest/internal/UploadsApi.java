package org.fleetup.rest.internal;

import java.io.InputStream;

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

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.fleetup.api.release.Uploads;
import org.fleetup.api.release.Uploads.Upload;

/**
 * The updating-device handshake: {@code POST /uploads} asks to send a release and is granted or refused;
 * {@code PUT /uploads/{id}} sends the bytes, a {@code Content-Range} continuing where the last part stopped;
 * {@code POST /uploads/{id}/commit} adds them to the store.
 */
@Path("/uploads")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "uploads", description = "An updating device brings a release: ask, send, commit")
public interface UploadsApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Asks to send a release (product, version, kind, fileName, size, sha256)",
            description = "201 with the grant (id, expiry) and its Location; or the refusal: 409 when the version is"
                    + " stored with other bytes, 413 too large, 507 no space.")
    Response request(Uploads.Request request);

    @GET
    @Path("{id}")
    @Operation(summary = "How many bytes of an upload are in: where the next part starts")
    Upload get(@PathParam("id") String id);

    @PUT
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Sends the bytes, or a part of them with Content-Range: bytes START-END/SIZE",
            description = "A part starts where the bytes received so far end (a resume) or at 0; at the last byte"
                    + " the SHA-256 is checked and other bytes discard the upload.")
    Upload put(@PathParam("id") String id, @HeaderParam("Content-Range") String range, InputStream bytes);

    @POST
    @Path("{id}/commit")
    @Operation(summary = "Adds a complete upload to the store: 201 with the release")
    Response commit(@PathParam("id") String id, @Context SecurityContext caller);

    @DELETE
    @Path("{id}")
    @Operation(summary = "Drops an upload and its bytes")
    Response discard(@PathParam("id") String id);
}
