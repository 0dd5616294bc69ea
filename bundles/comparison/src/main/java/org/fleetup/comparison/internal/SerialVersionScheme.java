package org.fleetup.comparison.internal;

import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Pattern;

/** A plain serial number ({@code 1042}): ASCII digits of any length, leading zeros allowed, ordered by value. */
final class SerialVersionScheme extends ParsedVersionScheme<BigInteger> {

    static final String NAME = "serial";

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");

    SerialVersionScheme() {
        super(NAME, "a serial number (digits only, e.g. 1042)");
    }

    @Override
    Optional<BigInteger> parse(String version) {
        return DIGITS.matcher(version).matches() ? Optional.of(new BigInteger(version)) : Optional.empty();
    }

    @Override
    int compareParsed(BigInteger a, BigInteger b) {
        return a.compareTo(b);
    }
}
