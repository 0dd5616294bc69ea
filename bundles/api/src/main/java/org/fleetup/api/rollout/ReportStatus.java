package org.fleetup.api.rollout;

import java.util.Locale;

import org.fleetup.api.upgrade.StepState;

/**
 * How one server of a rollout ended, as reports and scripts read it ({@link #label()}: stable values). A step alone
 * does not tell every ending apart (a server not started and one found current both end {@code SKIPPED}), so the
 * engine records the ending when it knows it ({@link RolloutServer#outcome()}); {@link #of(RolloutServer)} is the one
 * place that decides.
 */
public enum ReportStatus {
    /** Runs the release, verified; a first install too. */
    UPGRADED,
    /** Left as it was on purpose: it runs the release already, or something newer. */
    SKIPPED,
    /** Not upgraded, and not known to run its previous release (see the detail). */
    FAILED,
    /** The release failed on it and its previous release runs again, verified. */
    ROLLED_BACK,
    /** Never became installable (no space, busy) within the limit; nothing was changed on it. */
    NOT_INSTALLABLE,
    /** The rollout ended (cancelled, aborted) before it reached this server; nothing was changed on it. */
    NOT_STARTED,
    /** Not ended yet. */
    PENDING;

    /**
     * How the detail of a {@link StepState#FAILED} server starts when it never became installable: the install
     * writes it, {@link #of(RolloutServer)} reads it, so that a not-installable server is told apart however it was
     * stored (a step and a detail are all every store keeps).
     */
    public static final String NOT_INSTALLABLE_DETAIL = "not installable: ";

    /** {@code upgraded}, {@code rolled-back}, {@code not-installable}...: the report's status. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the rollout did not do what was asked on this server: a script's run fails when one did not. */
    public boolean isFailure() {
        return this == FAILED || this == ROLLED_BACK || this == NOT_INSTALLABLE;
    }

    /**
     * The ending the engine recorded, or the one its step tells. A server skipped with no version read was never
     * started (the rollout was cancelled or aborted, or its wave halted it); one skipped after its version was read
     * runs the release already, or something newer. A failed server whose detail starts with
     * {@link #NOT_INSTALLABLE_DETAIL} waited for an installable state in vain, and nothing was changed on it.
     */
    public static ReportStatus of(RolloutServer server) {
        if (server.outcome() != null) {
            return server.outcome();
        }
        if (server.state() == StepState.FAILED && server.detail() != null
                && server.detail().startsWith(NOT_INSTALLABLE_DETAIL)) {
            return NOT_INSTALLABLE;
        }
        return server.state() == StepState.SKIPPED && server.from() == null ? NOT_STARTED : of(server.state());
    }

    /** The ending a step tells by itself. */
    public static ReportStatus of(StepState state) {
        return switch (state) {
            case DONE -> UPGRADED;
            case SKIPPED -> SKIPPED;
            case FAILED -> FAILED;
            case ROLLED_BACK -> ROLLED_BACK;
            default -> PENDING;
        };
    }
}
