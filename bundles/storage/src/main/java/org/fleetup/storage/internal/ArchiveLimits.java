package org.fleetup.storage.internal;

import org.fleetup.api.FleetupException;

/**
 * How much an archive may unpack to: a release that unpacks to more is refused before it is stored, so no server's
 * disk and not the controller's heap is filled by it.
 *
 * @param maxEntries          files, directories and links, at most
 * @param maxUnpackedBytes    the tar stream inside the gzip, headers included, at most
 * @param maxCompressionRatio the tar stream at most this many times the size of the gzip, once past
 *                            {@link #RATIO_FREE_BYTES}
 */
record ArchiveLimits(long maxEntries, long maxUnpackedBytes, long maxCompressionRatio) {

    /**
     * What any archive may unpack to whatever its ratio: a ratio says little about a small archive, whose tar padding
     * alone (records of 10 KiB) can be a hundred times its gzip.
     */
    static final long RATIO_FREE_BYTES = 1024 * 1024;

    ArchiveLimits {
        positive("maxEntries", maxEntries, "the most entries (files, directories, links) an archive may hold");
        positive("maxUnpackedBytes", maxUnpackedBytes, "the most bytes an archive may unpack to");
        positive("maxCompressionRatio", maxCompressionRatio, "how many times its size an archive may unpack to");
    }

    /** The bytes an archive of {@code packedBytes} may unpack to, by its ratio alone. */
    long byRatio(long packedBytes) {
        long byRatio = packedBytes > Long.MAX_VALUE / maxCompressionRatio ? Long.MAX_VALUE
                : packedBytes * maxCompressionRatio;
        return Math.max(byRatio, RATIO_FREE_BYTES);
    }

    private static void positive(String name, long value, String what) {
        if (value < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, name + " is " + value + "; set it to " + what
                    + ", at least 1, in etc/" + VfsReleaseStore.PID + ".cfg");
        }
    }
}
