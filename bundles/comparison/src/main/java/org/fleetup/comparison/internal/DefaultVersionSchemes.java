package org.fleetup.comparison.internal;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.comparison.VersionSchemes;
import org.osgi.service.component.annotations.Component;

/** The version schemes built into Fleetup: semantic, maven, serial, debian and date. */
@Component(service = VersionSchemes.class)
public final class DefaultVersionSchemes implements VersionSchemes {

    private final SortedMap<String, VersionScheme> schemes;

    public DefaultVersionSchemes() {
        SortedMap<String, VersionScheme> byName = new TreeMap<>();
        for (VersionScheme scheme : List.of(new SemanticVersionScheme(), new MavenVersionScheme(),
                new SerialVersionScheme(), new DebianVersionScheme(), new DateVersionScheme())) {
            byName.put(scheme.name(), scheme);
        }
        this.schemes = Collections.unmodifiableSortedMap(byName);
    }

    @Override
    public VersionScheme scheme(String name) {
        VersionScheme scheme = name == null ? null : schemes.get(name);
        if (scheme == null) {
            throw new FleetupException(FleetupException.SCHEME_UNKNOWN, "Unknown version scheme '" + name
                    + "'. Known schemes: " + String.join(", ", schemes.keySet())
                    + "; set one of them as the scheme of the product's profile.");
        }
        return scheme;
    }

    /** The names, in alphabetical order. */
    @Override
    public Set<String> names() {
        return schemes.keySet();
    }
}
