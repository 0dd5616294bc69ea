package org.fleetup.comparison.internal;

import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;

/**
 * A scheme that reads a version into a form of its own and orders that form. Parsing never throws: a string that is
 * not of the scheme parses to nothing, which {@link #isValid} reports and {@link #compare} turns into
 * {@link FleetupException#VERSION_MALFORMED}.
 *
 * @param <P> the parsed form of a version
 */
abstract class ParsedVersionScheme<P> implements VersionScheme {

    private final String name;
    private final String expected;

    /**
     * @param name the scheme's name
     * @param expected what a version of the scheme is, for people: {@code a semantic version (MAJOR.MINOR.PATCH, e.g.
     *        2.0.0)}
     */
    ParsedVersionScheme(String name, String expected) {
        this.name = name;
        this.expected = expected;
    }

    /** @return the parsed version, or empty when {@code version} (never {@code null}) is not of this scheme */
    abstract Optional<P> parse(String version);

    abstract int compareParsed(P a, P b);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean isValid(String version) {
        return version != null && parse(version).isPresent();
    }

    @Override
    public final int compare(String a, String b) {
        return compareParsed(parsed(a), parsed(b));
    }

    private P parsed(String version) {
        Optional<P> parsed = version == null ? Optional.empty() : parse(version);
        return parsed.orElseThrow(() -> new FleetupException(FleetupException.VERSION_MALFORMED,
                "'" + version + "' is not " + expected));
    }

    @Override
    public String toString() {
        return name;
    }
}
