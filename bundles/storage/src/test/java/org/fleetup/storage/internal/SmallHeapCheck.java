package org.fleetup.storage.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.fleetup.api.FleetupException;

/**
 * Checks one archive with the store's default limits and prints the outcome: run in a JVM of its own with a small heap,
 * it shows how much memory the check of an archive can take.
 */
public final class SmallHeapCheck {

    static final ArchiveLimits DEFAULT_LIMITS = new ArchiveLimits(100_000, 4L * 1024 * 1024 * 1024, 100);

    private SmallHeapCheck() {
    }

    public static void main(String[] args) throws IOException {
        Path archive = Path.of(args[0]);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive))) {
            ArchiveCheck.verify(in, Files.size(archive), DEFAULT_LIMITS);
            System.out.println("accepted");
        } catch (FleetupException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }
}
