package org.fleetup.comparison.internal;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic Versioning 2.0.0 exactly: {@code MAJOR.MINOR.PATCH}, an optional pre-release ({@code -rc.1}) that orders
 * before the release, and optional build metadata ({@code +build.5}) that plays no part in the order. Numbers have no
 * leading zeros and no size limit; identifiers are never empty.
 */
final class SemanticVersionScheme extends ParsedVersionScheme<SemanticVersionScheme.Semantic> {

    static final String NAME = "semantic";

    /** The expression semver.org recommends, without named groups. */
    private static final Pattern SEMVER = Pattern.compile(
            "(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)"
                    + "(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    + "(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?");

    private static final Pattern NUMERIC = Pattern.compile("\\d+");

    record Semantic(BigInteger major, BigInteger minor, BigInteger patch, List<String> preRelease) {
    }

    SemanticVersionScheme() {
        super(NAME, "a semantic version (MAJOR.MINOR.PATCH, e.g. 2.0.0)");
    }

    @Override
    Optional<Semantic> parse(String version) {
        Matcher matcher = SEMVER.matcher(version);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        String preRelease = matcher.group(4);
        return Optional.of(new Semantic(new BigInteger(matcher.group(1)), new BigInteger(matcher.group(2)),
                new BigInteger(matcher.group(3)), preRelease == null ? List.of() : List.of(preRelease.split("\\."))));
    }

    @Override
    int compareParsed(Semantic a, Semantic b) {
        int result = a.major().compareTo(b.major());
        if (result == 0) {
            result = a.minor().compareTo(b.minor());
        }
        if (result == 0) {
            result = a.patch().compareTo(b.patch());
        }
        return result != 0 ? result : comparePreRelease(a.preRelease(), b.preRelease());
    }

    private static int comparePreRelease(List<String> a, List<String> b) {
        if (a.isEmpty() || b.isEmpty()) {
            // a release comes after every pre-release of it
            return Boolean.compare(a.isEmpty(), b.isEmpty());
        }
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int result = compareIdentifier(a.get(i), b.get(i));
            if (result != 0) {
                return result;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    private static int compareIdentifier(String a, String b) {
        boolean numericA = NUMERIC.matcher(a).matches();
        boolean numericB = NUMERIC.matcher(b).matches();
        if (numericA && numericB) {
            return new BigInteger(a).compareTo(new BigInteger(b));
        }
        if (numericA != numericB) {
            return numericA ? -1 : 1;
        }
        return a.compareTo(b);
    }
}
