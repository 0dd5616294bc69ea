package org.fleetup.inventory.internal;

/**
 * A controller that only opens the inventory, migrating it, and closes it: run in JVMs of its own by
 * {@link SchemaMigrationTest}, as controllers started together are, each with its own Liquibase.
 */
public final class OpenInventory {

    private OpenInventory() {
    }

    public static void main(String[] args) {
        TestDatabases.open(args[0], TestDatabases.USER, TestDatabases.PASSWORD).close();
    }
}
