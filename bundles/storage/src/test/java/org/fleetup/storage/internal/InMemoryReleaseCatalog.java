package org.fleetup.storage.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseCatalog;

/** The catalog as the inventory keeps it, in memory; it refuses a release entered twice, as a primary key would. */
final class InMemoryReleaseCatalog implements ReleaseCatalog {

    private final List<Release> releases = new ArrayList<>();

    @Override
    public synchronized void addRelease(Release release) {
        if (release(release.product(), release.version()).isPresent()) {
            throw new IllegalStateException(release.coordinates() + " is in the catalog already");
        }
        releases.add(release);
    }

    @Override
    public synchronized Optional<Release> release(String product, String version) {
        return releases.stream()
                .filter(r -> r.product().equals(product) && r.version().equals(version))
                .findFirst();
    }

    @Override
    public synchronized List<Release> releases() {
        return releases.stream()
                .sorted(Comparator.comparing(Release::product).thenComparing(Release::addedAt))
                .toList();
    }
}
