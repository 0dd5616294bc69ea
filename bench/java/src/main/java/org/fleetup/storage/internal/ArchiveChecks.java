package org.fleetup.storage.internal;

import java.io.InputStream;

/**
 * Reaches the storage bundle's package-private {@link ArchiveCheck} for the benchmarks: on a plain class path (one
 * class loader) a class of the same package may call it. Only the benchmark jar does this; in OSGi the package is
 * private to the storage bundle.
 */
public final class ArchiveChecks {

    private ArchiveChecks() {
    }

    /** {@link ArchiveCheck#verify}: the whole check the store runs on every release it is given. */
    public static void verify(InputStream artifact) {
        ArchiveCheck.verify(artifact);
    }
}
