package org.fleetup.api.release;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.FleetupException;

/**
 * The releases and their bytes, content-addressed by SHA-256. An added artifact is buffered, verified and only then
 * committed: a failed or refused add leaves nothing behind.
 */
public interface ReleaseStore {

    /**
     * Streams an artifact into the store, checked to be what its file name says ({@link ArtifactFormat}).
     *
     * @param fileName the artifact's file name, kept with its ending (the install strategy goes by it);
     *        {@code null} for {@code <product>-<version>.tar.gz}
     * @return the release; the existing one when the same version is added again with the same bytes
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} for a malformed version, a file name of no
     *         {@link ArtifactFormat}, an image for a kind that is not one, or an artifact that is not what its name
     *         says: a safe gzip tar (absolute or {@code ../} paths, links leaving it), a Debian package, an RPM package
     *         of the release's version; {@link FleetupException#RELEASE_CONFLICT} when the version exists with other
     *         bytes
     */
    Release add(String product, String version, String kind, String fileName, InputStream content);

    Optional<Release> find(String product, String version);

    /** @throws FleetupException {@link FleetupException#RELEASE_NOT_FOUND} */
    default Release require(String product, String version) {
        return find(product, version).orElseThrow(() -> new FleetupException(FleetupException.RELEASE_NOT_FOUND,
                "Unknown release " + product + "/" + version + ". 'fleet:release-list' shows the releases in the store."));
    }

    List<Release> list();

    /** Opens the artifact's bytes; the caller closes the stream. */
    InputStream open(Release release);
}
