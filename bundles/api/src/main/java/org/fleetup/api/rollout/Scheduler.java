package org.fleetup.api.rollout;

import java.time.Instant;
import java.time.ZoneId;

import org.fleetup.api.FleetupException;

/** Runs work now or at a set time. */
public interface Scheduler {

    /**
     * When an operator's time means: {@code now}, a time of day ({@code 03:00}, the next one to come, in the
     * controller's zone), a local date-time ({@code 2026-12-01T03:00}) or an instant ({@code 2026-12-01T03:00:00Z});
     * the configured default time when {@code when} is {@code null} or blank. A time that has passed, or that lies
     * further ahead than the configured horizon, is refused, never taken as now.
     *
     * @throws FleetupException {@link FleetupException#TIME_INVALID}
     */
    Instant resolve(String when);

    /**
     * Checks a start time given as an instant, as {@link #resolve} checks an operator's: not passed, not beyond the
     * horizon.
     *
     * @return {@code at}
     * @throws FleetupException {@link FleetupException#TIME_INVALID}
     */
    Instant requireSchedulable(Instant at);

    /** The zone times of day and local date-times are read in, and that times are best shown in. */
    ZoneId zone();

    /**
     * Runs {@code task} at {@code at}, however far ahead, or at once when that is past. A second call with the same id
     * replaces the first.
     */
    void schedule(String id, Instant at, Runnable task);

    /** @return whether a task of that id was waiting and will not run now */
    boolean cancel(String id);
}
