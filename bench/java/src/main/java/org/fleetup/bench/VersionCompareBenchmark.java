package org.fleetup.bench;

import java.util.concurrent.TimeUnit;

import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@link VersionScheme#compare} of a million generated pairs; one operation is the whole million. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class VersionCompareBenchmark {

    public static final int PAIRS = 1_000_000;

    @Param({"semantic", "maven", "debian", "serial"})
    public String scheme;

    private VersionScheme versions;
    private String[] left;
    private String[] right;

    @Setup
    public void generate() {
        versions = new DefaultVersionSchemes().scheme(scheme);
        left = VersionCorpus.versions(scheme, PAIRS, VersionCorpus.SEED);
        right = VersionCorpus.versions(scheme, PAIRS, VersionCorpus.SEED + 1);
        for (String version : left) {
            if (!versions.isValid(version)) {
                throw new IllegalStateException("the corpus made '" + version + "', not a " + scheme + " version");
            }
        }
    }

    /** @return the sum of the signs, so that no comparison is optimized away */
    @Benchmark
    public long compareMillionPairs() {
        long sum = 0;
        for (int i = 0; i < PAIRS; i++) {
            sum += Integer.signum(versions.compare(left[i], right[i]));
        }
        return sum;
    }
}
