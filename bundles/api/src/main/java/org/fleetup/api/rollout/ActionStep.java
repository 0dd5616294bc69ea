package org.fleetup.api.rollout;

/**
 * A row of the step history of a rollout's servers, with who wrote it: how a controller learns the progress of the
 * servers other controllers work on.
 *
 * @param seq the row's number, rising as rows are written
 * @param controller the incarnation that held the server's lease when it wrote the row ({@code null}: none did)
 * @param record the step
 */
public record ActionStep(long seq, String controller, StepRecord record) {
}
