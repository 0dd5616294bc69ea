package org.fleetup.patch.internal;

import javax.ws.rs.Consumes;
import javax.ws.rs.HeaderParam;
import javax.ws.rs.POST;
import javax.ws.rs.PUT;
import javax.ws.rs.Path;
import javax.ws.rs.PathParam;
import javax.ws.rs.Produces;
import javax.ws.rs.QueryParam;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

import org.fleetup.patch.internal.MirrorMessages.Hello;

/**
 * A mirror's API for its primary ({@code /cxf/fleetup/mirror/v1}): every request signed by a primary key the mirror
 * trusts ({@link MirrorSigning}), every answer signed by the mirror's key. {@code POST hello} proves both keys when the
 * primary adds the mirror; {@code POST sync} hands over the primary's state and answers the mirror's; {@code PUT
 * blobs/{sha256}?offset=N&size=M} appends bytes of a blob the mirror lacks.
 */
@Path("/")
public class MirrorResource {

    private final MirrorReceiver receiver;

    public MirrorResource(MirrorReceiver receiver) {
        this.receiver = receiver;
    }

    @POST
    @Path("hello")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response hello(@HeaderParam(MirrorSigning.KEY) String key,
                          @HeaderParam(MirrorSigning.SEQUENCE) String sequence,
                          @HeaderParam(MirrorSigning.TIMESTAMP) String timestamp,
                          @HeaderParam(MirrorSigning.SIGNATURE) String signature, byte[] body) {
        return response(receiver.handle("POST hello", key, sequence, timestamp, signature, body(body),
                () -> new Hello(key)));
    }

    @POST
    @Path("sync")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response sync(@HeaderParam(MirrorSigning.KEY) String key,
                         @HeaderParam(MirrorSigning.SEQUENCE) String sequence,
                         @HeaderParam(MirrorSigning.TIMESTAMP) String timestamp,
                         @HeaderParam(MirrorSigning.SIGNATURE) String signature, byte[] body) {
        byte[] bytes = body(body);
        return response(receiver.handle("POST sync", key, sequence, timestamp, signature, bytes,
                () -> receiver.sync(receiver.syncRequest(bytes))));
    }

    @PUT
    @Path("blobs/{sha256}")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.APPLICATION_JSON)
    public Response blob(@PathParam("sha256") String sha256, @QueryParam("offset") long offset,
                         @QueryParam("size") long size, @HeaderParam(MirrorSigning.KEY) String key,
                         @HeaderParam(MirrorSigning.SEQUENCE) String sequence,
                         @HeaderParam(MirrorSigning.TIMESTAMP) String timestamp,
                         @HeaderParam(MirrorSigning.SIGNATURE) String signature, byte[] body) {
        byte[] bytes = body(body);
        return response(receiver.handle(MirrorClient.blobResource(sha256, offset, size), key, sequence, timestamp,
                signature, bytes, () -> receiver.blob(sha256, offset, size, bytes)));
    }

    private static byte[] body(byte[] body) {
        return body == null ? new byte[0] : body;
    }

    private static Response response(MirrorReceiver.Reply reply) {
        return Response.status(reply.status()).type(MediaType.APPLICATION_JSON).entity(reply.body())
                .header(MirrorSigning.KEY, reply.keyId()).header(MirrorSigning.SIGNATURE, reply.signature()).build();
    }
}
