package org.fleetup.api.release;

import java.util.List;
import java.util.Optional;

/** Where release metadata is persisted; the {@link ReleaseStore} keeps the bytes and writes here last. */
public interface ReleaseCatalog {

    void addRelease(Release release);

    Optional<Release> release(String product, String version);

    /** Ordered by product, then by when they were added. */
    List<Release> releases();
}
