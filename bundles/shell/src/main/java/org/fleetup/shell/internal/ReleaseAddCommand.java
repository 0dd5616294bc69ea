package org.fleetup.shell.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

@Command(scope = "fleet", name = "release-add", description = "Adds a release to the store: a gzip tar (.tar.gz), "
        + "a package (.deb, .rpm), or a firmware, bios or os image (.bin, .img, .fw, .rom, .cap, .iso)")
@Service
public class ReleaseAddCommand implements Action {

    @Reference
    private ReleaseStore store;

    @Reference
    private Inventory inventory;

    @Reference
    private ProductProfiles profiles;

    @Option(name = "--product", required = true, description = "The product, e.g. demo-app")
    private String product;

    @Option(name = "--version", required = true, description = "The version, in the product's scheme")
    private String version;

    @Option(name = "--kind", description = "application (the default), management, firmware, bios or os; an image "
            + "(.bin, .img, ...) is firmware, bios or os")
    private String kind = Release.DEFAULT_KIND;

    @Argument(index = 0, name = "file", required = true, description = "The artifact: .tar.gz, .deb, .rpm, "
            + "or an image; its name says what it is, and is kept")
    @Completion(FileCompleter.class)
    private String file;

    @Override
    public Object execute() throws Exception {
        Path path = Path.of(file);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Cannot read the artifact " + path);
        }
        Release release;
        try (InputStream content = Files.newInputStream(path)) {
            release = store.add(product, version, kind, path.getFileName().toString(), content);
        }
        inventory.audit(Actors.current(), "release-add", release.coordinates() + " sha256 " + release.sha256());
        System.out.println(summary(release, profiles.profile(product)));
        return null;
    }

    /** What was stored, and how the product's profile, as configured for every server, would install it. */
    static String summary(Release release, ProductProfile profile) {
        String added = "Release " + release.coordinates() + " (" + release.fileName() + ", kind " + release.kind()
                + ", " + Formats.bytes(release.size()) + ", sha256 " + release.sha256() + ") is in the store.";
        try {
            return added + "\nThe profile of " + release.product() + " installs it by the "
                    + profile.installer().strategyFor(release) + " strategy.";
        } catch (FleetupException e) {
            // Stored all the same: the profile may be completed before a rollout, whose plan refuses it until then.
            return added + "\n" + e.getMessage() + " The profiles are in etc/org.fleetup.profiles.cfg.";
        }
    }
}
