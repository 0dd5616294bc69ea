package org.fleetup.comparison.internal;

import java.util.Optional;

/**
 * Debian package versions, {@code [epoch:]upstream[-revision]}, ordered as {@code dpkg --compare-versions} orders
 * them: the epoch by value, then the upstream version and the revision each by dpkg's rule, where runs of digits
 * compare by value, letters sort before other characters, and {@code ~} sorts before everything, even the end
 * ({@code 1.0~rc1 < 1.0}).
 * <p>
 * A version is valid when dpkg parses it without error or warning: a numeric epoch, an upstream part that starts
 * with a digit and holds only {@code [A-Za-z0-9.+~:-]}, a revision of {@code [A-Za-z0-9.+~]}, no blanks.
 */
final class DebianVersionScheme extends ParsedVersionScheme<DebianVersionScheme.Debian> {

    static final String NAME = "debian";

    /** @param revision empty when the version has none, which dpkg orders as {@code 0} */
    record Debian(long epoch, String upstream, String revision) {
    }

    DebianVersionScheme() {
        super(NAME, "a Debian version ([epoch:]upstream[-revision], e.g. 1:2.30-1)");
    }

    @Override
    Optional<Debian> parse(String version) {
        String rest = version;
        long epoch = 0;
        int colon = version.indexOf(':');
        if (colon >= 0) {
            String digits = version.substring(0, colon);
            if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(DebianVersionScheme::isDigit)) {
                return Optional.empty();
            }
            epoch = Long.parseLong(digits);
            if (epoch > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            rest = version.substring(colon + 1);
        }
        int hyphen = rest.lastIndexOf('-');
        String upstream = hyphen < 0 ? rest : rest.substring(0, hyphen);
        String revision = hyphen < 0 ? "" : rest.substring(hyphen + 1);
        if (upstream.isEmpty() || !isDigit(upstream.charAt(0))
                || !upstream.chars().allMatch(c -> isAlphanumeric(c) || ".-+~:".indexOf(c) >= 0)
                || (hyphen >= 0 && revision.isEmpty())
                || !revision.chars().allMatch(c -> isAlphanumeric(c) || ".+~".indexOf(c) >= 0)) {
            return Optional.empty();
        }
        return Optional.of(new Debian(epoch, upstream, revision));
    }

    @Override
    int compareParsed(Debian a, Debian b) {
        int result = Long.compare(a.epoch(), b.epoch());
        if (result == 0) {
            result = compareParts(a.upstream(), b.upstream());
        }
        return result != 0 ? result : compareParts(a.revision(), b.revision());
    }

    /** dpkg's {@code verrevcmp}: alternating runs of non-digits (by {@link #order}) and digits (by value). */
    static int compareParts(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !isDigit(a.charAt(i))) || (j < b.length() && !isDigit(b.charAt(j)))) {
                int orderA = order(charAt(a, i));
                int orderB = order(charAt(b, j));
                if (orderA != orderB) {
                    return Integer.compare(orderA, orderB);
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            int firstDifference = 0;
            while (i < a.length() && j < b.length() && isDigit(a.charAt(i)) && isDigit(b.charAt(j))) {
                if (firstDifference == 0) {
                    firstDifference = Integer.compare(a.charAt(i), b.charAt(j));
                }
                i++;
                j++;
            }
            if (i < a.length() && isDigit(a.charAt(i))) {
                return 1;
            }
            if (j < b.length() && isDigit(b.charAt(j))) {
                return -1;
            }
            if (firstDifference != 0) {
                return firstDifference;
            }
        }
        return 0;
    }

    /** {@code 0} past the end, as C's terminating NUL. */
    private static int charAt(String text, int index) {
        return index < text.length() ? text.charAt(index) : 0;
    }

    /** The end and digits weigh 0, {@code ~} less, letters their code, everything else more than any letter. */
    private static int order(int c) {
        if (isDigit(c) || c == 0) {
            return 0;
        }
        if (isLetter(c)) {
            return c;
        }
        return c == '~' ? -1 : c + 256;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlphanumeric(int c) {
        return isDigit(c) || isLetter(c);
    }
}
