package org.fleetup.api.release;

import org.fleetup.api.inventory.Server;

/** The profile of every product; a product with none configured gets the default layout. */
public interface ProductProfiles {

    /** The profile as configured, with its {@code ${name}} placeholders. */
    ProductProfile profile(String product);

    /**
     * The profile for one server: every {@code ${name}} naming one of its attributes replaced by the attribute's
     * value; every other {@code $} expression left for the server's shell.
     */
    ProductProfile profile(String product, Server server);
}
