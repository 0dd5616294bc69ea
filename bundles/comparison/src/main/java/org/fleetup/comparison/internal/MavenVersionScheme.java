package org.fleetup.comparison.internal;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Maven's version order, as {@code org.apache.maven.artifact.versioning.ComparableVersion} of Maven 3.9 defines it
 * (the maven-artifact jar is no OSGi bundle, so its rules are ported here and checked against it in the tests).
 * <p>
 * A version is split at {@code .}, at {@code -} and where digits and letters meet into numbers and qualifiers;
 * {@code -} and a letter-digit change open a nested list. Trailing zeros and empty qualifiers are dropped, so
 * {@code 1 == 1.0 == 1.0.0 == 1-ga}. Qualifiers order {@code alpha < beta < milestone < rc = cr < snapshot < "" = ga
 * = final = release < sp}, then unknown qualifiers alphabetically; {@code a1}, {@code b1}, {@code m1} mean
 * {@code alpha-1}, {@code beta-1}, {@code milestone-1}; case does not matter.
 * <p>
 * Maven orders any string; Fleetup asks more of a version it will act on: at most {@value #MAX_LENGTH} characters of
 * {@code [A-Za-z0-9._+-]} with at least one digit, so that stray output such as {@code unknown} is not taken for one.
 */
final class MavenVersionScheme extends ParsedVersionScheme<MavenVersionScheme.Items> {

    static final String NAME = "maven";

    /** As Maven 4 bounds it: every {@code -} nests a list, and comparing recurses once per level. */
    static final int MAX_LENGTH = 256;

    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._+-]*[0-9][A-Za-z0-9._+-]*");

    private static final List<String> QUALIFIERS = List.of("alpha", "beta", "milestone", "rc", "snapshot", "", "sp");
    private static final Map<String, String> ALIASES = Map.of("ga", "", "final", "", "release", "", "cr", "rc");
    private static final String RELEASE_RANK = rank("");

    /** One part of a version: a number, a qualifier, or a nested list of parts. */
    sealed interface Item permits Numeric, Qualifier, Items {
    }

    record Numeric(BigInteger value) implements Item {
    }

    /** @param value lower case, aliases resolved ({@code cr} is {@code rc}, {@code ga} is the empty qualifier) */
    record Qualifier(String value) implements Item {
    }

    /** A list of parts, filled while parsing and never changed after. */
    static final class Items implements Item {

        private final List<Item> parts = new ArrayList<>();

        List<Item> parts() {
            return parts;
        }

        @Override
        public String toString() {
            return parts.toString();
        }
    }

    MavenVersionScheme() {
        super(NAME, "a Maven version (e.g. 1.4.2, 2.0-rc1 or 2.1.0-SNAPSHOT)");
    }

    @Override
    Optional<Items> parse(String version) {
        if (version.length() > MAX_LENGTH || !ALLOWED.matcher(version).matches()) {
            return Optional.empty();
        }
        return Optional.of(items(version.toLowerCase(Locale.ENGLISH)));
    }

    @Override
    int compareParsed(Items a, Items b) {
        return compare(a, b);
    }

    private static Items items(String version) {
        Items root = new Items();
        Items list = root;
        Deque<Items> opened = new ArrayDeque<>();
        opened.push(root);
        boolean inDigits = false;
        int start = 0;
        for (int i = 0; i < version.length(); i++) {
            char c = version.charAt(i);
            if (c == '.' || c == '-') {
                list.parts().add(i == start ? new Numeric(BigInteger.ZERO) : item(inDigits, version.substring(start, i)));
                start = i + 1;
                if (c == '-') {
                    list = nested(list, opened);
                }
            } else if (isDigit(c)) {
                if (!inDigits && i > start) {
                    // a qualifier followed by a number: 1.0.0.RC1 orders as 1.0.0-RC-1
                    if (!list.parts().isEmpty()) {
                        list = nested(list, opened);
                    }
                    list.parts().add(qualifier(version.substring(start, i), true));
                    start = i;
                    list = nested(list, opened);
                }
                inDigits = true;
            } else {
                if (inDigits && i > start) {
                    list.parts().add(item(true, version.substring(start, i)));
                    start = i;
                    list = nested(list, opened);
                }
                inDigits = false;
            }
        }
        if (version.length() > start) {
            // a trailing .X orders as -X for any qualifier X
            if (!inDigits && !list.parts().isEmpty()) {
                list = nested(list, opened);
            }
            list.parts().add(item(inDigits, version.substring(start)));
        }
        while (!opened.isEmpty()) {
            normalize(opened.pop());
        }
        return root;
    }

    private static Items nested(Items list, Deque<Items> opened) {
        Items sublist = new Items();
        list.parts().add(sublist);
        opened.push(sublist);
        return sublist;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static Item item(boolean digits, String text) {
        return digits ? new Numeric(new BigInteger(text)) : qualifier(text, false);
    }

    private static Qualifier qualifier(String text, boolean followedByDigit) {
        String value = text;
        if (followedByDigit && text.length() == 1) {
            value = switch (text.charAt(0)) {
                case 'a' -> "alpha";
                case 'b' -> "beta";
                case 'm' -> "milestone";
                default -> text;
            };
        }
        return new Qualifier(ALIASES.getOrDefault(value, value));
    }

    /** Drops the null parts (0, "", empty lists) at the end, looking past nested lists. */
    private static void normalize(Items list) {
        List<Item> parts = list.parts();
        for (int i = parts.size() - 1; i >= 0; i--) {
            Item part = parts.get(i);
            if (isNull(part)) {
                parts.remove(i);
            } else if (!(part instanceof Items)) {
                break;
            }
        }
    }

    private static boolean isNull(Item item) {
        if (item instanceof Numeric numeric) {
            return numeric.value().signum() == 0;
        }
        if (item instanceof Qualifier qualifier) {
            return qualifier.value().isEmpty();
        }
        return ((Items) item).parts().isEmpty();
    }

    /** Known qualifiers by their place in the order, then unknown ones alphabetically after them. */
    private static String rank(String qualifier) {
        int index = QUALIFIERS.indexOf(qualifier);
        return index == -1 ? QUALIFIERS.size() + "-" + qualifier : String.valueOf(index);
    }

    /**
     * @param b the other part, or {@code null} where the other version has ended (padding: {@code 1 == 1.0}, {@code
     *        1-rc < 1}, {@code 1-sp > 1})
     */
    private static int compare(Item a, Item b) {
        if (a instanceof Numeric numeric) {
            if (b == null) {
                return numeric.value().signum();
            }
            // 1.1 > 1-sp and 1.1 > 1-1
            return b instanceof Numeric other ? numeric.value().compareTo(other.value()) : 1;
        }
        if (a instanceof Qualifier qualifier) {
            if (b == null) {
                return rank(qualifier.value()).compareTo(RELEASE_RANK);
            }
            return b instanceof Qualifier other ? rank(qualifier.value()).compareTo(rank(other.value())) : -1;
        }
        List<Item> parts = ((Items) a).parts();
        if (b == null) {
            for (Item part : parts) {
                int result = compare(part, null);
                if (result != 0) {
                    return result;
                }
            }
            return 0;
        }
        if (b instanceof Numeric) {
            return -1;
        }
        if (b instanceof Qualifier) {
            return 1;
        }
        List<Item> others = ((Items) b).parts();
        for (int i = 0; i < Math.max(parts.size(), others.size()); i++) {
            Item left = i < parts.size() ? parts.get(i) : null;
            Item right = i < others.size() ? others.get(i) : null;
            int result = left == null ? -compare(right, null) : compare(left, right);
            if (result != 0) {
                return result;
            }
        }
        return 0;
    }
}
