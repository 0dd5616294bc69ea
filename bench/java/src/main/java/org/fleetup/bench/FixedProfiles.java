package org.fleetup.bench;

import java.util.Map;

import org.fleetup.api.release.ProductProfiles;
import org.fleetup.inspection.internal.ConfiguredProductProfiles;

/** The inspection bundle's real profiles, configured as etc/org.fleetup.profiles.cfg would be. */
public final class FixedProfiles {

    private FixedProfiles() {
    }

    /** Every product with the default layout and the given version scheme. */
    public static ProductProfiles withScheme(String scheme) {
        Map<String, Object> properties = Map.of("scheme", scheme);
        return new ConfiguredProductProfiles(
                ComponentConfigs.of(ConfiguredProductProfiles.Config.class, properties), properties);
    }
}
