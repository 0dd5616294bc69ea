package org.fleetup.rest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import javax.ws.rs.NotFoundException;
import javax.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.fleetup.api.FleetupException;
import org.junit.jupiter.api.Test;

/** Fleetup's errors as HTTP statuses and JSON, and what a basic Authorization header holds. */
class ErrorMappingTest {

    @Test
    void eachKindOfErrorHasItsStatus() {
        assertThat(FleetupExceptionMapper.status(FleetupException.INVALID_INPUT)).isEqualTo(400);
        assertThat(FleetupExceptionMapper.status(FleetupException.SERVER_INVALID)).isEqualTo(400);
        assertThat(FleetupExceptionMapper.status(FleetupException.TIME_INVALID)).isEqualTo(400);
        assertThat(FleetupExceptionMapper.status(FleetupException.UNAUTHENTICATED)).isEqualTo(401);
        assertThat(FleetupExceptionMapper.status(FleetupException.FORBIDDEN)).isEqualTo(403);
        assertThat(FleetupExceptionMapper.status(FleetupException.RELEASE_NOT_FOUND)).isEqualTo(404);
        assertThat(FleetupExceptionMapper.status(FleetupException.ROLLOUT_NOT_FOUND)).isEqualTo(404);
        assertThat(FleetupExceptionMapper.status(FleetupException.ROLLOUT_CONFLICT)).isEqualTo(409);
        assertThat(FleetupExceptionMapper.status(FleetupException.ROLLOUT_ENDED)).isEqualTo(409);
        assertThat(FleetupExceptionMapper.status(FleetupException.TRANSPORT_INCAPABLE)).isEqualTo(409);
        assertThat(FleetupExceptionMapper.status(FleetupException.STORAGE_FAILED)).isEqualTo(500);
        assertThat(FleetupExceptionMapper.status(FleetupException.UPLOAD_TOO_LARGE)).isEqualTo(413);
        assertThat(FleetupExceptionMapper.status(FleetupException.UPLOAD_EXPIRED)).isEqualTo(410);
        assertThat(FleetupExceptionMapper.status(FleetupException.UPLOAD_RANGE)).isEqualTo(416);
        assertThat(FleetupExceptionMapper.status(FleetupException.UPLOAD_NO_SPACE)).isEqualTo(507);
    }

    @Test
    void aFleetupErrorIsItsCodeAndMessage() {
        Response response = new FleetupExceptionMapper().toResponse(new FleetupException(
                FleetupException.RELEASE_NOT_FOUND, "Unknown release demo-app/9.9.9."));

        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getEntity()).isEqualTo(new ErrorBody("fleetup.release.notFound",
                "Unknown release demo-app/9.9.9."));
    }

    @Test
    void aBodyThatDoesNotParseIsABadRequestSayingWhere() {
        JsonProcessingException parse = org.junit.jupiter.api.Assertions.assertThrows(JsonProcessingException.class,
                () -> new ObjectMapper().readTree("{\"product\": demo}"));

        Response response = new JsonExceptionMapper().toResponse(parse);

        assertThat(response.getStatus()).isEqualTo(400);
        ErrorBody body = (ErrorBody) response.getEntity();
        assertThat(body.code()).isEqualTo(FleetupException.INVALID_INPUT);
        assertThat(body.message()).contains("line 1, column").contains("Nothing changed");
    }

    private record Body(String product, String version) {
    }

    @Test
    void anUnknownFieldIsNamedWithTheFieldsThatAreKnown() {
        JsonProcessingException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                JsonProcessingException.class,
                () -> new ObjectMapper().readValue("{\"product\": \"a\", \"colour\": 1}", Body.class));

        ErrorBody body = (ErrorBody) new JsonExceptionMapper().toResponse(unknown).getEntity();

        assertThat(body.message()).contains("no field 'colour' is known here; the fields are product, version")
                .doesNotContain("org.fleetup");
    }

    @Test
    void jaxRsRefusalsKeepTheirStatusInTheSameJson() {
        Response response = new WebApplicationExceptionMapper().toResponse(new NotFoundException());

        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(((ErrorBody) response.getEntity()).code()).isEqualTo("fleetup.http.notFound");
    }

    @Test
    void basicCredentialsAreReadAndTheirPasswordIsNeverPrinted() {
        String header = "Basic " + Base64.getEncoder().encodeToString("ops:s3cr:et".getBytes(StandardCharsets.UTF_8));

        BasicAuthFilter.Credentials credentials = BasicAuthFilter.Credentials.of(header);

        assertThat(credentials.user()).isEqualTo("ops");
        assertThat(new String(credentials.password())).isEqualTo("s3cr:et");
        assertThat(credentials.toString()).doesNotContain("s3cr");
    }

    @Test
    void anythingButBasicCredentialsIsNone() {
        assertThat(BasicAuthFilter.Credentials.of(null)).isNull();
        assertThat(BasicAuthFilter.Credentials.of("Bearer abc")).isNull();
        assertThat(BasicAuthFilter.Credentials.of("Basic !!!")).isNull();
        assertThat(BasicAuthFilter.Credentials.of("Basic " + Base64.getEncoder()
                .encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)))).isNull();
    }
}
