package org.fleetup.transport.http;

import java.time.Duration;

import org.fleetup.api.upgrade.StepState;

/** How the parts of an agent server's procedure tell what happened: as a step, as its end, or as a pause. */
interface StepSink {

    /** Tells the rollout a step, the procedure going on. */
    void tell(StepState state, String detail);

    /** Ends the procedure: {@code from} and {@code to} are the versions before and after, {@code null} for none. */
    void finish(StepState state, String from, String to, String detail);

    /** Puts the action aside, to be run again after {@code wait}, no thread waiting meanwhile. */
    void resumeAfter(Duration wait);

    /** The version the server ran before this upgrade, {@code null} when none ran. */
    String from();
}
