package org.fleetup.api.rollout;

/**
 * How far the actions of one wave of a rollout are, counted by the inventory: what the engine decides on at each tick
 * without reading the actions themselves.
 *
 * @param wave the wave's number
 * @param actions its servers
 * @param ended those whose step is final ({@link org.fleetup.api.upgrade.StepState#isFinal})
 * @param failed those failed or rolled back: what counts against the wave's max errors
 * @param pullAgentsNotEnded pull agents ({@link org.fleetup.api.pull.PullAgents}) among those not ended: they may
 *        have fallen silent, which only their actions tell
 */
public record WaveProgress(int wave, int actions, int ended, int failed, int pullAgentsNotEnded) {

    /** A wave with no action yet (agents join it as they come). */
    public static WaveProgress empty(int wave) {
        return new WaveProgress(wave, 0, 0, 0, 0);
    }

    public boolean allEnded() {
        return ended == actions;
    }
}
