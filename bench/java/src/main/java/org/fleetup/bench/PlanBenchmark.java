package org.fleetup.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.comparison.Plan;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inspection.Inspection.Status;
import org.fleetup.api.release.Release;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.fleetup.comparison.internal.VersionPlanner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@code VersionPlanner.plan} of 10,000 inspections of a semantic product, mixed as a real fleet is: mostly older
 * versions, some current, some newer, a few unreachable and unparsable.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlanBenchmark {

    @Param("10000")
    public int servers;

    private VersionPlanner planner;
    private Release release;
    private List<Inspection> inspections;

    @Setup
    public void inspect() {
        planner = new VersionPlanner(new DefaultVersionSchemes(), FixedProfiles.withScheme("semantic"));
        release = new Release("demo-app", "2.0.0", null, "0".repeat(64), 5 << 20, "demo-app-2.0.0.tar.gz",
                Instant.now());
        String[] versions = VersionCorpus.versions("semantic", servers, VersionCorpus.SEED);
        SplittableRandom random = new SplittableRandom(VersionCorpus.SEED);
        Instant at = Instant.now();
        inspections = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            String name = String.format("web-%05d", i);
            int draw = random.nextInt(100);
            inspections.add(draw < 2
                    ? new Inspection(name, "demo-app", Status.UNREACHABLE, null,
                            "Cannot reach " + name + ": connection refused.", at, Duration.ofMillis(3))
                    : draw < 3
                    ? new Inspection(name, "demo-app", Status.UNPARSABLE, null, "printed 'garbage'", at,
                            Duration.ofMillis(9))
                    : new Inspection(name, "demo-app", Status.OK, draw < 10 ? "2.0.0" : versions[i], null, at,
                            Duration.ofMillis(9)));
        }
    }

    @Benchmark
    public Plan plan10000() {
        return planner.plan(release, inspections, false);
    }
}
