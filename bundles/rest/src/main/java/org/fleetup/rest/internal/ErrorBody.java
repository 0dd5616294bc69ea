package org.fleetup.rest.internal;

/**
 * Every error the API answers, as JSON: the stable code of {@link org.fleetup.api.FleetupException} for programs, and
 * a message for people that says what to do next.
 */
public record ErrorBody(String code, String message) {
}
