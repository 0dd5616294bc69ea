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
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

@Command(scope = "fleet", name = "release-add", description = "Adds a release (a gzip tar) to the store")
@Service
public class ReleaseAddCommand implements Action {

    @Reference
    private ReleaseStore store;

    @Reference
    private Inventory inventory;

    @Option(name = "--product", required = true, description = "The product, e.g. demo-app")
    private String product;

    @Option(name = "--version", required = true, description = "The version, in the product's scheme")
    private String version;

    @Option(name = "--kind", description = "application, firmware, bios, management or os")
    private String kind = Release.DEFAULT_KIND;

    @Argument(index = 0, name = "file", required = true, description = "The artifact, a .tar.gz")
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
        System.out.println("Release " + release.coordinates() + " (" + release.kind() + ", "
                + Formats.bytes(release.size()) + ", sha256 " + release.sha256() + ") is in the store.");
        return null;
    }
}
