package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.comparison.internal.SchemeAssertions.assertAscending;
import static org.fleetup.comparison.internal.SchemeAssertions.assertMalformed;
import static org.fleetup.comparison.internal.SchemeAssertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.maven.artifact.versioning.ComparableVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** The cases of Maven's own ComparableVersionTest, then every pair of a wide set checked against Maven 3.9 itself. */
class MavenVersionSchemeTest {

    private final MavenVersionScheme scheme = new MavenVersionScheme();

    @Test
    void ordersQualifiersAsMavenDoes() {
        assertAscending(scheme, "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2",
                "1-m11", "1-rc", "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def",
                "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123");
    }

    @Test
    void ordersNumbersAsMavenDoes() {
        // as Maven 3.9 lists them, where MNG-7644 made 2.0.a the same as 2.0.0.a and 2-a
        assertAscending(scheme, "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b",
                "2.1-c", "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
                "11", "11.a", "11b", "11c", "11m");
    }

    @ParameterizedTest
    @CsvSource({"1,1", "1,1.0", "1,1.0.0", "1.0,1.0.0", "1,1-0", "1,1.0-0", "1.0,1.0-0", "1a,1-a", "1a,1.0-a",
        "1a,1.0.0-a", "1.0a,1-a", "1.0.0a,1-a", "1x,1-x", "1x,1.0-x", "1x,1.0.0-x", "1.0x,1-x", "1.0.0x,1-x",
        "1ga,1", "1release,1", "1final,1", "1-ga,1", "1cr,1rc", "1a1,1-alpha-1", "1b2,1-beta-2", "1m3,1-milestone-3",
        "1X,1x", "1A,1a", "1B,1b", "1M,1m", "1Ga,1", "1GA,1", "1RELEASE,1", "1RELeaSE,1", "1Final,1", "1FINAL,1",
        "1Cr,1Rc", "1cR,1rC", "1m3,1Milestone3", "1m3,1MILESTONE3",
        "0001,1", "000000000000000001,1", "0000000000000000001,1", "000,0", "0000000000000000000,0"})
    void treatsAsSameWhatMavenTreatsAsEqual(String a, String b) {
        assertSame(scheme, a, b);
    }

    @ParameterizedTest
    @CsvSource({"1,2", "1.5,2", "1,2.5", "1.0,1.1", "1.1,1.2", "1.0.0,1.1", "1.0.1,1.1", "1.1,1.2.0",
        "1.0-alpha-1,1.0", "1.0-alpha-1,1.0-alpha-2", "1.0-alpha-1,1.0-beta-1", "1.0-beta-1,1.0-SNAPSHOT",
        "1.0-SNAPSHOT,1.0", "1.0-alpha-1-SNAPSHOT,1.0-alpha-1", "1.0,1.0-1", "1.0-1,1.0-2", "1.0.0,1.0-1",
        "2.0-1,2.0.1", "2.0.1-klm,2.0.1-lmn", "2.0.1,2.0.1-xyz", "2.0.1,2.0.1-123", "2.0.1-xyz,2.0.1-123",
        // MNG-5568: transitive
        "6.1.0rc3,6.1.0", "6.1.0rc3,6.1H.5-beta", "6.1.0,6.1H.5-beta",
        // MNG-6572: numbers past int and long
        "20190126.230843,1234567890.12345", "1234567890.12345,123456789012345.1H.5-beta",
        "123456789012345.1H.5-beta,12345678901234567890.1H.5-beta",
        // MNG-6964: qualifiers after -0.
        "1-0.alpha,1", "1-0.beta,1", "1-0.alpha,1-0.beta",
        // the order this scheme promises
        "1.0-alpha,1.0-beta", "1.0-beta,1.0-milestone", "1.0-milestone,1.0-rc", "1.0-rc,1.0-snapshot",
        "1.0-snapshot,1.0", "1.0,1.0-sp", "1.0-sp,1.0-unknown", "1.4.2,2.0.0"})
    void ordersAsMavenDoes(String older, String newer) {
        assertAscending(scheme, older, newer);
    }

    @Test
    void ordersAQualifierAfterADotAsAfterAHyphen() {
        // MNG-7644
        for (String x : List.of("abc", "alpha", "a", "beta", "b", "def", "milestone", "m", "RC")) {
            assertAscending(scheme, "1.0.0." + x + "1", "1.0.0-" + x + "2");
            assertSame(scheme, "2-" + x, "2.0." + x);
            assertSame(scheme, "2-" + x, "2.0.0." + x);
        }
    }

    @Test
    void ignoresTheDefaultLocale() {
        Locale original = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr"));
            assertSame(scheme, "1-abcdefghijklmnopqrstuvwxyz", "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        } finally {
            Locale.setDefault(original);
        }
    }

    @Test
    void agreesWithMavenOnEveryPair() {
        List<String> versions = new ArrayList<>(List.of("1", "1.0", "1.0.0", "1-0", "1.0-0", "1-1", "1.1", "1.0.1",
                "1-ga", "1-final", "1-release", "1-sp", "1-sp1", "1-SNAPSHOT", "1.0-SNAPSHOT", "1.0.0-SNAPSHOT",
                "1-alpha", "1-alpha1", "1-alpha-1", "1.0.alpha1", "1a1", "1-beta", "1b", "1-b1", "1-m1", "1-rc1",
                "1-cr1", "1.0.RC1", "1.0-RC2", "1-xyz", "1-xyz1", "1.xyz", "1.0.xyz", "1-abc", "2", "2.0.0-rc.1",
                "2.0.0-rc.2", "2.0.0", "2.0.0+build", "2.0.0-1", "2.0.0.1", "2.0.1", "2.0.1-2", "10", "10.0.1",
                "1-0.alpha", "1-0.beta", "1.0-0.sp", "1--1", "1..1", "1.-1", "1-.1", "1_0", "1.2.3_4", "0", "0.0.1",
                "0-rc1", "20260101", "2026.01.01", "1.0-alpha-1-SNAPSHOT", "1.0-alpha-SNAPSHOT", "6.1H.5-beta",
                "12345678901234567890", "123456789012345678901", "1-1-snapshot", "1-pom-1", "1x", "1.x", "1.0.x",
                "1.2.3.4.5.6.7.8", "1.2-3-4-5", "1.0-a", "1.0-b", "1.0-m", "1.0a", "1.0b", "3.0-M1", "3.0.0-M1",
                "9.4.51.v20230217", "1.0.0.Final", "5.6.15.Final", "2.13.0-rc1", "1.0-20260101.101010-3"));
        for (String a : versions) {
            for (String b : versions) {
                int expected = Integer.signum(new ComparableVersion(a).compareTo(new ComparableVersion(b)));
                assertThat(Integer.signum(scheme.compare(a, b))).as("%s vs %s", a, b).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.4.2", "2.0-rc1", "2.1.0-SNAPSHOT", "1.0.0.Final", "r09", "1_0", "9.4.51.v20230217"})
    void acceptsMavenVersions(String version) {
        assertThat(scheme.isValid(version)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "SNAPSHOT", "-", ".", "1 0", " 1.0", "1.0\t", "1.0/2", "1:0", "command not found",
        "１.0"})
    void rejectsWhatIsNoVersionToActOn(String version) {
        assertMalformed(scheme, version, "1.0");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void treatsNothingAsInvalid(String version) {
        assertMalformed(scheme, version, "1.0");
    }

    @Test
    void rejectsVersionsLongerThanMavenBounds() {
        String longest = "1" + "-1".repeat((MavenVersionScheme.MAX_LENGTH - 1) / 2);
        assertThat(scheme.isValid(longest)).isTrue();
        assertMalformed(scheme, longest + "-1", "1.0");
    }
}
