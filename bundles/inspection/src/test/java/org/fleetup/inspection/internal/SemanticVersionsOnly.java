package org.fleetup.inspection.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;
import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.comparison.VersionSchemes;

/**
 * The least {@link VersionSchemes} the inspector needs: {@code major.minor.patch} only. The real schemes live in
 * fleetup-comparison, whose classes are internal to its bundle.
 */
final class SemanticVersionsOnly implements VersionSchemes {

    private static final Pattern SEMANTIC = Pattern.compile("\\d+\\.\\d+\\.\\d+");

    private static final VersionScheme SCHEME = new VersionScheme() {
        @Override
        public String name() {
            return "semantic";
        }

        @Override
        public boolean isValid(String version) {
            return SEMANTIC.matcher(version).matches();
        }

        @Override
        public int compare(String a, String b) {
            Comparator<String> numeric = Comparator.comparing(
                    v -> Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray(), Arrays::compare);
            return numeric.compare(a, b);
        }
    };

    @Override
    public VersionScheme scheme(String name) {
        if (!SCHEME.name().equals(name)) {
            throw new FleetupException(FleetupException.SCHEME_UNKNOWN, "Unknown version scheme '" + name + "'.");
        }
        return SCHEME;
    }

    @Override
    public Set<String> names() {
        return Set.of(SCHEME.name());
    }
}
