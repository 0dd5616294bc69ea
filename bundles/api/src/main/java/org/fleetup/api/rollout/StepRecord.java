package org.fleetup.api.rollout;

import java.time.Instant;

import org.fleetup.api.upgrade.StepState;

/**
 * One step of one server of a rollout, as the history keeps it.
 *
 * @param rollout the rollout's id
 * @param server the server's name
 * @param step the step it entered
 * @param detail what it did, or why it failed
 * @param at when
 */
public record StepRecord(String rollout, String server, StepState step, String detail, Instant at) {
}
