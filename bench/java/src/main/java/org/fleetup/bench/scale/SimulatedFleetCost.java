package org.fleetup.bench.scale;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;

import org.fleetup.api.simulator.HostSpec;
import org.fleetup.simulator.SimulatedFleet;

/**
 * What the simulator's own fleet ({@link SimulatedFleet}: one MINA SSH server per host, the demo application
 * installed in each root) costs per host in threads, memory, files and start time, to judge it as the scale
 * benchmark's fleet. Starts {@code --hosts} hosts in this JVM, prints, stops them.
 */
public final class SimulatedFleetCost {

    private SimulatedFleetCost() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args);
        int hosts = Integer.parseInt(options.getOrDefault("hosts", "200"));
        Path dir = Files.createTempDirectory("fleetup-simulated-fleet-cost");
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        ProcessMemory before = ProcessMemory.self();
        long start = System.nanoTime();
        try (SimulatedFleet fleet = new SimulatedFleet(dir)) {
            fleet.start("sim", Collections.nCopies(hosts, new HostSpec("1.4.2", null)));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.gc();
            int threads = ManagementFactory.getThreadMXBean().getThreadCount();
            ProcessMemory after = ProcessMemory.self();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long du = Files.walk(dir).filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            System.out.printf(Locale.ROOT, "SimulatedFleet of %d hosts: started in %.1f s (%.1f ms/host); threads %d"
                            + " -> %d (%.1f per host); RSS %d -> %d MiB (%.2f MiB per host); heap after GC %d MiB;"
                            + " files %.0f MiB (%.2f MiB per host)%n", hosts, seconds, seconds * 1000 / hosts,
                    threadsBefore, threads, (threads - threadsBefore) / (double) hosts, before.rssKb() / 1024,
                    after.rssKb() / 1024, (after.rssKb() - before.rssKb()) / 1024.0 / hosts, heap / 1048576,
                    du / 1048576.0, du / 1048576.0 / hosts);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
