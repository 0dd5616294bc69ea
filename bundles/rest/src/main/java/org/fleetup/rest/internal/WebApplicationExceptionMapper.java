package org.fleetup.rest.internal;

import javax.ws.rs.WebApplicationException;
import javax.ws.rs.core.Response;
import javax.ws.rs.core.Response.Status;
import javax.ws.rs.ext.ExceptionMapper;

import org.fleetup.api.FleetupException;

/**
 * What JAX-RS itself refuses (no such path, a method or media type the resource does not take) in the same JSON as
 * every other error, with its status kept.
 */
final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    @Override
    public Response toResponse(WebApplicationException e) {
        Response given = e.getResponse();
        int status = given == null ? 500 : given.getStatus();
        Status known = Status.fromStatusCode(status);
        String code = status == 404 ? "fleetup.http.notFound" : status < 500 ? FleetupException.INVALID_INPUT
                : "fleetup.http.failed";
        String message = (known == null ? "HTTP " + status : known.getReasonPhrase())
                + (status == 404 ? ": no such resource; GET /openapi.json lists them." : ".");
        return Response.fromResponse(FleetupExceptionMapper.response(known == null ? Status.BAD_REQUEST : known,
                code, message)).status(status).build();
    }
}
