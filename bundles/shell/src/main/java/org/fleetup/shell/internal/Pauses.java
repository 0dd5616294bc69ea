package org.fleetup.shell.internal;

import java.util.List;

import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.rollout.Wave;
import org.fleetup.api.rollout.WaveStatus;

/** Why a rollout paused, and what an operator does next. */
final class Pauses {

    private Pauses() {
    }

    static String explain(Rollout rollout, List<Wave> waves, List<RolloutServer> servers) {
        String next = "; fleet:rollout-resume " + rollout.id() + " or fleet:rollout-cancel " + rollout.id();
        return waves.stream().filter(w -> w.status() == WaveStatus.HALTED).findFirst()
                .map(halted -> "Rollout " + rollout.id() + " paused on wave " + halted.number() + ": "
                        + servers.stream().filter(s -> s.wave() == halted.number())
                                .filter(s -> ReportStatus.of(s).isFailure()).count()
                        + " of " + halted.size() + " failed, max " + halted.maxErrors() + next)
                .orElse("Rollout " + rollout.id() + " paused" + (rollout.detail() == null ? "" : ": "
                        + rollout.detail()) + next);
    }
}
