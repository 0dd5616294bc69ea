package org.fleetup.bench;

import java.util.SplittableRandom;

/**
 * Realistic version strings per scheme, from a fixed seed so that every run compares the same pairs: mostly small
 * numbers, some pre-releases and qualifiers, the shapes a real fleet reports.
 */
public final class VersionCorpus {

    public static final long SEED = 20261124L;

    private static final String[] SEMVER_PRE = {"alpha", "alpha.1", "beta.2", "rc.1", "rc.2", "SNAPSHOT"};
    private static final String[] MAVEN_QUALIFIERS = {"-SNAPSHOT", "-rc1", "-RC2", "-beta-1", "-alpha", ".Final",
            "-M1", "-sp1", "-ga", ".RELEASE"};
    private static final String[] DEBIAN_REVISIONS = {"-1", "-2", "-1ubuntu1", "-3+deb12u1", "-0.1", "-1~bpo11+1"};

    private VersionCorpus() {
    }

    /** {@code count} versions of {@code scheme}: semantic, maven, debian or serial. */
    public static String[] versions(String scheme, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] versions = new String[count];
        for (int i = 0; i < count; i++) {
            versions[i] = switch (scheme) {
                case "semantic" -> semantic(random);
                case "maven" -> maven(random);
                case "debian" -> debian(random);
                case "serial" -> Long.toString(1000 + random.nextLong(5_000_000));
                default -> throw new IllegalArgumentException("no corpus for scheme " + scheme);
            };
        }
        return versions;
    }

    private static String semantic(SplittableRandom random) {
        String core = random.nextInt(4) + "." + random.nextInt(20) + "." + random.nextInt(30);
        int shape = random.nextInt(10);
        if (shape == 0) {
            return core + "-" + SEMVER_PRE[random.nextInt(SEMVER_PRE.length)];
        }
        if (shape == 1) {
            return core + "+build." + random.nextInt(500);
        }
        return core;
    }

    private static String maven(SplittableRandom random) {
        StringBuilder version = new StringBuilder().append(random.nextInt(5)).append('.').append(random.nextInt(20));
        if (random.nextBoolean()) {
            version.append('.').append(random.nextInt(30));
        }
        if (random.nextInt(4) == 0) {
            version.append(MAVEN_QUALIFIERS[random.nextInt(MAVEN_QUALIFIERS.length)]);
        }
        return version.toString();
    }

    private static String debian(SplittableRandom random) {
        StringBuilder version = new StringBuilder();
        if (random.nextInt(10) == 0) {
            version.append(1 + random.nextInt(3)).append(':');
        }
        version.append(random.nextInt(5)).append('.').append(random.nextInt(40));
        if (random.nextBoolean()) {
            version.append('.').append(random.nextInt(20));
        }
        if (random.nextInt(8) == 0) {
            version.append("~rc").append(1 + random.nextInt(3));
        }
        if (random.nextInt(3) != 0) {
            version.append(DEBIAN_REVISIONS[random.nextInt(DEBIAN_REVISIONS.length)]);
        }
        return version.toString();
    }
}
