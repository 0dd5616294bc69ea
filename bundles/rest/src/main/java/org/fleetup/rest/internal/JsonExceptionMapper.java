package org.fleetup.rest.internal;

import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;

import javax.ws.rs.core.Response;
import javax.ws.rs.core.Response.Status;
import javax.ws.rs.ext.ExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import org.fleetup.api.FleetupException;

/**
 * A body that is not the JSON a resource takes: 400, saying where Jackson stopped and, for a field the resource does
 * not know, the fields it does, in the API's error JSON.
 */
final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        String what = e instanceof UnrecognizedPropertyException unknown
                ? "no field '" + unknown.getPropertyName() + "' is known here; the fields are "
                        + String.join(", ", names(unknown.getKnownPropertyIds()))
                : e.getOriginalMessage();
        return FleetupExceptionMapper.response(Status.BAD_REQUEST, FleetupException.INVALID_INPUT,
                "The body is not the JSON this resource takes" + where + ": " + what + ". Nothing changed.");
    }

    private static Collection<String> names(Collection<Object> ids) {
        TreeSet<String> names = new TreeSet<>();
        if (ids != null) {
            ids.stream().map(Objects::toString).forEach(names::add);
        }
        return names;
    }
}
