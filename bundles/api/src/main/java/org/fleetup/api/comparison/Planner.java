package org.fleetup.api.comparison;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
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
     * ({@link org.fleetup.api.release.ProductProfile#needs}): a package, a restart command or a script hook for a
     * server reached over {@code sftp://}. The caller, which knows the transports, says what each one can do: the
     * planner depends on no transport, so that a transport may depend on the planner.
     *
     * @param offered each server, with what its transport can do
     *         ({@link org.fleetup.api.transport.Transport#capabilities})
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#TRANSPORT_INCAPABLE} naming
     *         every such server, what it lacks and what to do
     */
    void requireCapable(Release release, Map<Server, Set<Capability>> offered);
}
