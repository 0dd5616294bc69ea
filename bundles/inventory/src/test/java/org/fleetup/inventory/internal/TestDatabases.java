package org.fleetup.inventory.internal;

import java.nio.file.Path;

/** Inventory databases for tests: real H2 files under a test's temporary directory. */
final class TestDatabases {

    static final String USER = "fleetup";
    static final String PASSWORD = "test-password";

    private TestDatabases() {
    }

    static String url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("inventory").resolve("fleetup");
    }

    static Path file(Path dir) {
        return dir.resolve("inventory").resolve("fleetup.mv.db");
    }

    static InventoryDatabase open(Path dir) {
        return new InventoryDatabase(url(dir), USER, PASSWORD, 4);
    }
}
