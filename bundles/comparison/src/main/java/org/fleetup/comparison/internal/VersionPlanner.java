package org.fleetup.comparison.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.comparison.VersionSchemes;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Decides what a release would do to each server from the version it runs, in the scheme of the release's product.
 * A server is upgraded only when it runs an older version, or a newer one when a downgrade is forced; one with
 * nothing installed gets the release as its first; every other server is left alone, with the reason in words.
 */
@Component(service = Planner.class)
public final class VersionPlanner implements Planner {

    private final VersionSchemes schemes;
    private final ProductProfiles profiles;

    @Activate
    public VersionPlanner(@Reference VersionSchemes schemes, @Reference ProductProfiles profiles) {
        this.schemes = schemes;
        this.profiles = profiles;
    }

    @Override
    public void requireCapable(Release release, Map<Server, Set<Capability>> offered) {
        List<String> refusals = new ArrayList<>();
        // What the install needs does not hang on a server's attributes: the profile without them says it.
        List<Capability.Need> needs = profiles.profile(release.product()).needs(release);
        offered.forEach((server, capabilities) -> {
            Optional<String> refusal = Capability.refusal(server.name(), server.address(), capabilities, needs);
            refusal.ifPresent(refusals::add);
        });
        if (!refusals.isEmpty()) {
            throw new FleetupException(FleetupException.TRANSPORT_INCAPABLE, "Cannot plan release "
                    + release.coordinates() + ": " + String.join("; ", refusals) + ". Reach "
                    + (refusals.size() == 1 ? "that server" : "those servers") + " over ssh:// (or an agent, "
                    + "http://), leave " + (refusals.size() == 1 ? "it" : "them") + " out of the plan, or install "
                    + release.product() + " there by release directories alone: a .tar.gz release, and no "
                    + "restartCommand, healthUrl, busyCommand, script or package strategy or reboot in its profile "
                    + "(etc/org.fleetup.profiles.cfg).");
        }
    }

    /** @throws FleetupException {@link FleetupException#VERSION_MALFORMED} when the release's version is not of its scheme */
    @Override
    public PlanEntry decide(Release release, Inspection inspection, boolean allowDowngrade) {
        return decide(release, schemeOf(release), inspection, allowDowngrade, strategyOf(release));
    }

    /** @throws FleetupException {@link FleetupException#VERSION_MALFORMED} when the release's version is not of its scheme */
    @Override
    public Plan plan(Release release, List<Inspection> inspections, boolean allowDowngrade) {
        VersionScheme scheme = schemeOf(release);
        String strategy = strategyOf(release);
        List<PlanEntry> entries = inspections.stream()
                .map(inspection -> decide(release, scheme, inspection, allowDowngrade, strategy))
                .toList();
        return new Plan(release, entries, Instant.now());
    }

    /**
     * How the release is installed, in words for the plan ({@code ""} for release directories, the
     * default); a release that its product's strategy cannot install is refused here, before any server is touched.
     */
    private String strategyOf(Release release) {
        String strategy = profiles.profile(release.product()).installer().strategyFor(release);
        return ProductProfile.Installer.DIRECTORIES.equals(strategy) ? "" : ", by the " + strategy + " strategy";
    }

    private VersionScheme schemeOf(Release release) {
        String product = release.product();
        VersionScheme scheme = schemes.scheme(profiles.profile(product).scheme());
        if (!scheme.isValid(release.version())) {
            throw new FleetupException(FleetupException.VERSION_MALFORMED, "Cannot plan release "
                    + release.coordinates() + ": '" + release.version() + "' is not " + article(scheme.name())
                    + " version, and the profile of " + product + " says its versions are " + scheme.name()
                    + ". Add the release under a " + scheme.name() + " version, or correct the product's scheme.");
        }
        return scheme;
    }

    private static PlanEntry decide(Release release, VersionScheme scheme, Inspection inspection,
                                    boolean allowDowngrade, String strategy) {
        String server = inspection.server();
        String running = inspection.version();
        if (inspection.product() != null && !inspection.product().equals(release.product())) {
            return new PlanEntry(server, running, Decision.UNKNOWN, "inspected for product " + inspection.product()
                    + ", not " + release.product());
        }
        switch (inspection.status()) {
            case UNREACHABLE:
                return new PlanEntry(server, null, Decision.UNREACHABLE,
                        Objects.requireNonNullElse(inspection.detail(), "unreachable"));
            case NOT_INSTALLED:
                return new PlanEntry(server, null, Decision.INSTALL, "nothing installed"
                        + (inspection.detail() == null ? "" : " (" + inspection.detail() + ")") + " -> "
                        + release.version() + strategy);
            case FAILED:
            case UNPARSABLE:
                return new PlanEntry(server, running, Decision.UNKNOWN,
                        Objects.requireNonNullElse(inspection.detail(), "its version could not be read"));
            default:
                break;
        }
        if (!scheme.isValid(running)) {
            return new PlanEntry(server, running, Decision.UNKNOWN,
                    "runs '" + running + "', not " + article(scheme.name()) + " version");
        }
        String target = release.version();
        int order = scheme.compare(running, target);
        if (order < 0) {
            return new PlanEntry(server, running, Decision.UPGRADE, running + " -> " + target + strategy);
        }
        if (order == 0) {
            return new PlanEntry(server, running, Decision.CURRENT, running.equals(target)
                    ? "runs " + running + " already" : "runs " + running + ", the same version as " + target);
        }
        if (allowDowngrade) {
            return new PlanEntry(server, running, Decision.UPGRADE, "downgrade " + running + " -> " + target
                    + ", forced" + strategy);
        }
        return new PlanEntry(server, running, Decision.NEWER, "runs " + running + ", newer than " + target
                + ": left alone, never downgraded unless forced");
    }

    /** {@code a semantic}, {@code an ansible}: the article a scheme's name takes. */
    private static String article(String word) {
        return ("aeiou".indexOf(Character.toLowerCase(word.charAt(0))) >= 0 ? "an " : "a ") + word;
    }
}
