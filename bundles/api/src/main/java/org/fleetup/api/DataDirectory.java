package org.fleetup.api;

import java.nio.file.Path;

/**
 * Where Fleetup keeps its data when its configuration names no place: under Karaf's data directory, or, outside
 * Karaf (tests, tools), under {@code <java.io.tmpdir>/fleetup}.
 */
public final class DataDirectory {

    private DataDirectory() {
    }

    /** {@code <karaf.data>/<first>/<more...>}, absolute; a blank {@code karaf.data} counts as none. */
    public static Path resolve(String first, String... more) {
        String karafData = System.getProperty("karaf.data");
        Path base = karafData == null || karafData.isBlank()
                ? Path.of(System.getProperty("java.io.tmpdir"), "fleetup")
                : Path.of(karafData);
        return base.resolve(Path.of(first, more)).toAbsolutePath();
    }
}
