package org.fleetup.rest.internal;

import static org.fleetup.api.FleetupException.*;

import java.util.Map;

import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.Response.Status;
import javax.ws.rs.ext.ExceptionMapper;

import org.fleetup.api.FleetupException;

/** A Fleetup error as the HTTP status its code means, and its code and message as JSON. */
final class FleetupExceptionMapper implements ExceptionMapper<FleetupException> {

    /** The status of each code a request can meet; any other is a failure of the controller (500). */
    private static final Map<String, Status> STATUS = Map.ofEntries(
            Map.entry(INVALID_INPUT, Status.BAD_REQUEST),
            Map.entry(SERVER_INVALID, Status.BAD_REQUEST),
            Map.entry(RELEASE_INVALID, Status.BAD_REQUEST),
            Map.entry(VERSION_MALFORMED, Status.BAD_REQUEST),
            Map.entry(SCHEME_UNKNOWN, Status.BAD_REQUEST),
            Map.entry(TIME_INVALID, Status.BAD_REQUEST),
            Map.entry(UNAUTHENTICATED, Status.UNAUTHORIZED),
            Map.entry(FORBIDDEN, Status.FORBIDDEN),
            Map.entry(SERVER_NOT_FOUND, Status.NOT_FOUND),
            Map.entry(RELEASE_NOT_FOUND, Status.NOT_FOUND),
            Map.entry(ROLLOUT_NOT_FOUND, Status.NOT_FOUND),
            Map.entry(RELEASE_CONFLICT, Status.CONFLICT),
            Map.entry(ROLLOUT_CONFLICT, Status.CONFLICT),
            Map.entry(ROLLOUT_STATE, Status.CONFLICT),
            Map.entry(ROLLOUT_ENDED, Status.CONFLICT),
            Map.entry(ROLLOUT_CANCELLED, Status.CONFLICT),
            // The release asks what the server's transport cannot do (a package over sftp://): the request, not
            // the controller, is at fault, and it is refused before anything changes.
            Map.entry(TRANSPORT_INCAPABLE, Status.CONFLICT),
            Map.entry(TRANSPORT_MISSING, Status.SERVICE_UNAVAILABLE),
            Map.entry(SERVER_UNREACHABLE, Status.BAD_GATEWAY),
            Map.entry(TRANSPORT_FAILED, Status.BAD_GATEWAY),
            Map.entry(COMMAND_TIMEOUT, Status.GATEWAY_TIMEOUT),
            Map.entry(UPLOAD_NOT_FOUND, Status.NOT_FOUND),
            Map.entry(UPLOAD_EXPIRED, Status.GONE),
            Map.entry(UPLOAD_TOO_LARGE, Status.REQUEST_ENTITY_TOO_LARGE),
            Map.entry(UPLOAD_RANGE, Status.REQUESTED_RANGE_NOT_SATISFIABLE),
            Map.entry(UPLOAD_MISMATCH, Status.BAD_REQUEST),
            Map.entry(UPLOAD_INCOMPLETE, Status.CONFLICT));

    /** 507 Insufficient Storage (WebDAV), which JAX-RS 2.1 does not name. */
    private static final int INSUFFICIENT_STORAGE = 507;

    static int status(String code) {
        return UPLOAD_NO_SPACE.equals(code) ? INSUFFICIENT_STORAGE
                : STATUS.getOrDefault(code, Status.INTERNAL_SERVER_ERROR).getStatusCode();
    }

    static Response response(Status status, String code, String message) {
        return response(status.getStatusCode(), code, message);
    }

    static Response response(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorBody(code, message))
                .build();
    }

    @Override
    public Response toResponse(FleetupException e) {
        return response(status(e.code()), e.code(), e.getMessage());
    }
}
