package org.fleetup.api.release;

import org.fleetup.api.inventory.Server;

/** The profile of every product; a product with none configured gets the default layout. */
public interface ProductProfiles {

    /**
     * The profile as configured, with its {@code ${name}} placeholders.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#RELEASE_INVALID} when
     *         {@code product} is not a product name ({@link ReleaseNames#requireProduct}), before it is put into any
     *         value
     */
    ProductProfile profile(String product);

    /**
     * The profile for one server, ready for its {@code /bin/sh}. Every {@code ${name}} naming one of its attributes
     * is replaced: in the version and health commands by the value as one single-quoted word, whatever quotes
     * surround the placeholder, so that no attribute is ever read as shell syntax; in the root, a path, by the value
     * as it is (the root is quoted whole, {@link ProductProfile#shellRoot()}). Every other {@code $} expression of a
     * command is left for the server's shell.
     *
     * @throws org.fleetup.api.FleetupException {@link org.fleetup.api.FleetupException#RELEASE_INVALID} for a
     *         product name as {@link #profile(String)}; {@link org.fleetup.api.FleetupException#SERVER_INVALID} when
     *         the root names an attribute the server lacks, or an attribute used holds a control character;
     *         {@link org.fleetup.api.FleetupException#INVALID_INPUT} when a value cannot take an attribute safely
     */
    ProductProfile profile(String product, Server server);
}
