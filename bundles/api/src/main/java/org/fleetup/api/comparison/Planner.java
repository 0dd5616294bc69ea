package org.fleetup.api.comparison;

import java.util.List;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.release.Release;

/** Decides, from what each server runs, what a release would do to it. */
public interface Planner {

    /** The decision for one server, comparing with the scheme of the release's product. */
    PlanEntry decide(Release release, Inspection inspection, boolean allowDowngrade);

    /** The decisions for every inspected server, in the order given. */
    Plan plan(Release release, List<Inspection> inspections, boolean allowDowngrade);
}
