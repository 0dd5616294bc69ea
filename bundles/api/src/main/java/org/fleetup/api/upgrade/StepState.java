package org.fleetup.api.upgrade;

/** Where the upgrade of one server stands. The last four end it. */
public enum StepState {
    PENDING, CONNECTING, TRANSFERRING, VERIFYING, WAITING, INSTALLING, RESTARTING, RECONNECTING, CHECKING,
    DONE, SKIPPED, FAILED, ROLLED_BACK;

    public boolean isFinal() {
        return this == DONE || this == SKIPPED || this == FAILED || this == ROLLED_BACK;
    }

    /**
     * How a finished server shows in a report: {@code upgraded}, {@code skipped} or {@code failed}. These values are
     * stable for scripts; a first install is {@code upgraded} too, its detail saying "installed ... no release ran
     * before".
     */
    public String outcome() {
        return switch (this) {
            case DONE -> "upgraded";
            case SKIPPED -> "skipped";
            case FAILED, ROLLED_BACK -> "failed";
            default -> "pending";
        };
    }
}
