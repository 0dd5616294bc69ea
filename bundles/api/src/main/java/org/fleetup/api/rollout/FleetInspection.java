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

    /**
     * The plan of the whole fleet: every server of the inventory, inspected, then every pull agent of the release's
     * product, decided from the version it last reported ({@link org.fleetup.api.pull.PullRollouts#plan}); a fleet of
     * pull agents only is planned too. Changes nothing.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#INVALID_INPUT} when there is
     *         neither a server nor a pull agent of the product
     */
    default Plan plan(Release release, int parallelism, boolean allowDowngrade) {
        throw new UnsupportedOperationException("this inspection plans named servers only");
    }
}
