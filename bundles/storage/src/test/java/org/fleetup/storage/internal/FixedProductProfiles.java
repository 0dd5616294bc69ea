package org.fleetup.storage.internal;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;

/** Every product laid out alike, with versions of one scheme. */
record FixedProductProfiles(String scheme) implements ProductProfiles {

    @Override
    public ProductProfile profile(String product) {
        return new ProductProfile(product, "$HOME/" + product, "cat current/VERSION", "cat current/VERSION", scheme);
    }

    @Override
    public ProductProfile profile(String product, Server server) {
        return profile(product);
    }
}
