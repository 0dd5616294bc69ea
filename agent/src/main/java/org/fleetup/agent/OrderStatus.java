package org.fleetup.agent;

import java.util.Locale;

import org.fleetup.api.upgrade.StepState;

/** Where an accepted order stands, as {@code GET /orders/{id}} names it. */
enum OrderStatus {
    ACCEPTED, WAITING_INSTALLABLE, DOWNLOADING, INSTALLING, HEALTH, DONE, FAILED, ROLLED_BACK;

    /** {@code waiting-installable}, {@code rolled-back}: the name the API uses. */
    String word() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static OrderStatus ofWord(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    boolean finished() {
        return this == DONE || this == FAILED || this == ROLLED_BACK;
    }

    /** The status an install step means; {@code null} for a step that changes none (connecting). */
    static OrderStatus of(StepState step) {
        return switch (step) {
            case WAITING -> WAITING_INSTALLABLE;
            case TRANSFERRING -> DOWNLOADING;
            case VERIFYING, INSTALLING, RESTARTING, RECONNECTING -> INSTALLING;
            case CHECKING -> HEALTH;
            case DONE, SKIPPED -> DONE;
            case FAILED -> FAILED;
            case ROLLED_BACK -> ROLLED_BACK;
            default -> null;
        };
    }
}
