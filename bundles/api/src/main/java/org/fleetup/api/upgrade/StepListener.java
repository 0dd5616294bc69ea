package org.fleetup.api.upgrade;

/** Told every step change of every server, from the thread doing the work: keep it short. */
@FunctionalInterface
public interface StepListener {

    void onStep(StepEvent event);
}
