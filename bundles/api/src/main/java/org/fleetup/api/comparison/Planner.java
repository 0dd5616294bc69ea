package org.fleetup.api.comparison;

import java.util.List;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.osgi.annotation.versioning.ProviderType;

/** Decides, from what each server runs, what a release would do to it. Implemented by Fleetup only. */
@ProviderType
public interface Planner {

    /** The decision for one server, comparing with the scheme of the release's product. */
    PlanEntry decide(Release release, Inspection inspection, boolean allowDowngrade);

    /** The decisions for every inspected server, in the order given. */
    Plan plan(Release release, List<Inspection> inspections, boolean allowDowngrade);

    /**
     * Refuses, before anything changes, servers whose transport cannot do what installing {@code release} needs
     * ({@link org.fleetup.api.release.ProductProfile#needs}, {@link org.fleetup.api.transport.Transport#capabilities}):
     * a package, a restart command or a script hook for a server reached over {@code sftp://}. A server whose scheme
     * has no transport is left to the transport check that names it.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#TRANSPORT_INCAPABLE} naming
     *         every such server, what it lacks and what to do
     */
    void requireCapable(Release release, List<Server> servers);
}
