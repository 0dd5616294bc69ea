package org.fleetup.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;

import org.fleetup.api.simulator.SimulatedHost;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** A product name typed by an operator never reaches a server's shell unless it is one the store would accept. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ProductNameIT extends FleetupTestSupport {

    @Test
    public void inspectingAProductNamedWithShellSyntaxRunsNothingAnywhere() throws Exception {

        ok("fleet:sim-start --prefix name --version 1.2.3 1");
        SimulatedHost host = simulator.hosts().stream().filter(h -> h.name().startsWith("name-")).findFirst()
                .orElseThrow();

        Result result = run("fleet:inspect --product '$(touch pwned)' " + host.name());

        assertTrue(result.all(), result.failed());
        assertTrue(result.all(), result.error().getMessage().startsWith("'$(touch pwned)' is not a product name"));
        assertFalse("nothing ran on " + host.name(), Files.exists(host.root().resolve("pwned")));
        assertFalse(Files.exists(host.root().resolve("demo-app").resolve("pwned")));
        assertEquals("the server still runs what it ran", "releases/1.2.3", currentTarget(host.root()));
    }
}
