package org.fleetup.comparison.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.fleetup.comparison.internal.SchemeAssertions.assertAscending;
import static org.fleetup.comparison.internal.SchemeAssertions.assertMalformed;
import static org.fleetup.comparison.internal.SchemeAssertions.assertSame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DebianVersionSchemeTest {

    private static final Path DPKG = Path.of("/usr/bin/dpkg");

    private final DebianVersionScheme scheme = new DebianVersionScheme();

    @Test
    void ordersTildeBeforeEverythingEvenTheEnd() {
        assertAscending(scheme, "1.0~~", "1.0~~a", "1.0~", "1.0~rc1", "1.0~rc2", "1.0", "1.0a", "1.0+b1", "1.0.1");
    }

    @Test
    void ordersEpochBeforeEverythingElse() {
        assertAscending(scheme, "9.9-9", "1:0.1", "1:1.0", "2:0.0.1");
    }

    @ParameterizedTest
    @CsvSource({"1.0,1.1", "1.2,1.10", "1.0-1,1.0-2", "1.0-9,1.0-10", "1.0-1,1.0-1ubuntu1", "1.0-1ubuntu1,1.0-1.1",
        "2.30-1,2.30-1+deb12u1", "1.0,1.0-1", "1.0a,1.0b", "1.0Z,1.0a", "1.0a,1.0+", "1.0+,1.0.", "1.0-0.1,1.0-1",
        "7.4p1-1,7.9p1-10", "2.36-9+deb12u4,2.36-9+deb12u10", "1.0~rc1-1,1.0-1", "1:1.0~,1:1.0"})
    void ordersAsDpkgDoes(String older, String newer) {
        assertAscending(scheme, older, newer);
    }

    @ParameterizedTest
    @CsvSource({"1.0,1.0-0", "1.0,0:1.0", "1.0,1.00", "1.01,1.1", "0:1.0-0,1.0", "01:1.0,1:1.0", "1.0-1,1.0-01"})
    void treatsAsSameWhatDpkgTreatsAsEqual(String a, String b) {
        assertSame(scheme, a, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1:2.30-1ubuntu2", "2:1.2-3-4", "1:2:3", "0", "1.0~rc1+dfsg-2~bpo12+1", "1.0-a"})
    void acceptsDebianVersions(String version) {
        assertThat(scheme.isValid(version)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "a1.0", "1.0-", "-1", ":1.0", "a:1.0", "-1:1.0", "1:", "1:-1", "99999999999:1.0",
        "1.0 1", " 1.0", "1.0_1", "1.0-1_2", "1.0-1:2", "1.0/2", "1.0é"})
    void rejectsWhatDpkgRejectsOrWarnsAbout(String version) {
        assertMalformed(scheme, version, "1.0");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void treatsNothingAsInvalid(String version) {
        assertMalformed(scheme, version, "1.0");
    }

    /** Sorts a wide set with this scheme, then asks dpkg about every neighbouring pair: one order, dpkg's. */
    @Test
    void sortsAsDpkgCompareVersions() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(DPKG), "dpkg is installed");
        List<String> versions = new ArrayList<>(List.of("1.0", "1.0-1", "1.0-0", "1.00", "1.0~rc1", "1.0~~",
                "1.0~rc1~git1", "1.0+b1", "1.0.1", "1.0a", "1.0A", "1.0-1ubuntu1", "1.0-1+deb12u1", "1.0-1.1", "1:0.9",
                "2:0", "0:1.0-2", "1.2", "1.10", "1.9", "1.0-10", "1.0-9", "1.0-a", "1.0-A", "1.0-~", "1.0-+",
                "1.0-.", "7.4p1-1", "7.9p1-10", "2.36-9+deb12u10", "2.36-9+deb12u4", "3.0.0~beta1", "3.0.0~alpha2",
                "3.0.0", "10", "9", "1.0+dfsg", "1.0+dfsg-1", "1.0.0", "1.0..", "1.0.+", "1.0-0.0", "1.0a1", "1.0aa",
                "1.0a~", "2:1.2-3-4", "1:2:3", "1.2-3-4", "0", "00", "0.0"));
        versions.sort(scheme::compare);
        for (int i = 1; i < versions.size(); i++) {
            String lower = versions.get(i - 1);
            String higher = versions.get(i);
            String relation = scheme.compare(lower, higher) == 0 ? "eq" : "lt";
            assertThat(dpkgAgrees(lower, relation, higher)).as("dpkg --compare-versions %s %s %s", lower, relation,
                    higher).isTrue();
        }
    }

    private static boolean dpkgAgrees(String a, String relation, String b) throws IOException, InterruptedException {
        Process dpkg = new ProcessBuilder(DPKG.toString(), "--compare-versions", a, relation, b)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!dpkg.waitFor(30, TimeUnit.SECONDS)) {
            dpkg.destroyForcibly();
            throw new IllegalStateException("dpkg --compare-versions took more than 30 s");
        }
        return dpkg.exitValue() == 0;
    }
}
