package org.fleetup.rest.internal;

import javax.ws.rs.core.Response;
import javax.ws.rs.core.Response.Status;
import javax.ws.rs.ext.ExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import org.fleetup.api.FleetupException;

/** A body that is not the JSON a resource takes: 400, saying where Jackson stopped, in the API's error JSON. */
final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return FleetupExceptionMapper.response(Status.BAD_REQUEST, FleetupException.INVALID_INPUT,
                "The body is not the JSON this resource takes" + where + ": " + e.getOriginalMessage()
                        + ". Nothing changed.");
    }
}
