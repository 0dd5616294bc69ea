package org.fleetup.api.upgrade;

/**
 * How the upgrade of one server ended.
 *
 * @param server the server's name
 * @param state {@link StepState#DONE}, {@link StepState#SKIPPED}, {@link StepState#FAILED} or
 *        {@link StepState#ROLLED_BACK}
 * @param from the version it ran before, when known
 * @param to the version it runs now, when known
 * @param detail why it was skipped or failed, in words for people
 */
public record ServerOutcome(String server, StepState state, String from, String to, String detail) {
}
