package org.fleetup.api.comparison;

/**
 * The decision for one server.
 *
 * @param server the server's name
 * @param running the version it runs, or {@code null} when unknown
 * @param decision what happens to it
 * @param reason why, in words for people
 */
public record PlanEntry(String server, String running, Decision decision, String reason) {
}
