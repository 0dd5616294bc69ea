package org.fleetup.api.rollout;

import java.util.List;

import org.fleetup.api.comparison.Plan;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;

/** Inspects many servers at once, and plans from what they run. */
public interface FleetInspection {

    /**
     * Inspects every server, {@code parallelism} at a time, records each result; in the order given.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#RELEASE_INVALID} when
     *         {@code product} is not a product name, before any server is reached
     */
    List<Inspection> inspect(List<Server> servers, String product, int parallelism);

    /** Inspects, then decides what the release would do to each server; changes nothing. */
    Plan plan(Release release, List<Server> servers, int parallelism, boolean allowDowngrade);
}
