package org.fleetup.bench.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.transport.TransportRegistry;
import org.fleetup.bench.ComponentConfigs;
import org.fleetup.bench.FixedProfiles;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.fleetup.comparison.internal.VersionPlanner;
import org.fleetup.inspection.internal.SessionInspector;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.simulator.SimulatedFleet;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;

/**
 * The controller side of the scale benchmark: starts the {@link FleetStandIn} fleet in a JVM of its own, then
 * inspects every host with the real inspection over the real SSH transport ({@code SessionInspector},
 * {@code SshTransport}: connect, verify the host key against the record, log in with the key, exec, close), a
 * bounded number at once, plans release 2.0.0 with the real {@code VersionPlanner}, and prints what it took. The
 * memory printed is this JVM's only: the stand-in's is printed apart.
 */
public final class ScaleBenchmark {

    private static final double PLAN_TARGET_SECONDS = 30;
    private static final int PLAN_TARGET_SERVERS = 10_000;
    private static final double MEMORY_TARGET_MB = 500;
    private static final int MEMORY_TARGET_SERVERS = 1_000;

    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Options.parse(args);
        int hosts = Integer.parseInt(options.getOrDefault("hosts", "10000"));
        int parallel = Integer.parseInt(options.getOrDefault("parallel", "64"));
        Path dir = Path.of(options.getOrDefault("dir", "target/scale-fleet")).toAbsolutePath();

        Process standIn = startStandIn(options, dir, hosts);
        try {
            run(dir, hosts, parallel, standIn.pid());
        } finally {
            stop(standIn);
        }
    }

    private static void run(Path dir, int hosts, int parallel, long standInPid) throws Exception {
        ServerTrust trust = ServerTrust.inMemory();
        List<Server> servers = readFleet(dir, trust);
        ProcessMemory atStart = ProcessMemory.self();

        DefaultVersionSchemes schemes = new DefaultVersionSchemes();
        ProductProfiles profiles = FixedProfiles.withScheme("semantic");
        SshTransport ssh = new SshTransport(SshSettings.defaults(), trust);
        TransportRegistry registry = new SshOnly(ssh);
        SessionInspector inspector = new SessionInspector(registry, profiles, schemes,
                ComponentConfigs.defaults(SessionInspector.Config.class));
        VersionPlanner planner = new VersionPlanner(schemes, profiles);
        Release release = new Release(DemoApplication.PRODUCT, "2.0.0", null, "0".repeat(64), 0,
                "demo-app-2.0.0.tar.gz", Instant.now());

        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        long selfPid = ProcessHandle.current().pid();
        double cpuStart = ProcessMemory.cpuSeconds(selfPid);
        double standInCpuStart = ProcessMemory.cpuSeconds(standInPid);
        long inspectStart = System.nanoTime();
        List<Future<Inspection>> pending = new ArrayList<>(servers.size());
        for (Server server : servers) {
            pending.add(pool.submit(() -> inspector.inspect(server, DemoApplication.PRODUCT)));
        }
        List<Inspection> inspections = new ArrayList<>(servers.size());
        for (Future<Inspection> future : pending) {
            inspections.add(future.get());
        }
        double inspectSeconds = (System.nanoTime() - inspectStart) / 1e9;
        double controllerCpu = ProcessMemory.cpuSeconds(selfPid) - cpuStart;
        double standInCpu = ProcessMemory.cpuSeconds(standInPid) - standInCpuStart;
        double machineLoad = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        pool.shutdown();

        long planStart = System.nanoTime();
        Plan plan = planner.plan(release, inspections, false);
        double planSeconds = (System.nanoTime() - planStart) / 1e9;

        ProcessMemory afterRun = ProcessMemory.self();
        MemoryUsage heapAfterRun = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int peakThreads = threads.getPeakThreadCount();
        System.gc();
        MemoryUsage heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        ProcessMemory standIn = ProcessMemory.of(standInPid);

        report(hosts, parallel, inspections, plan, inspectSeconds, planSeconds, atStart, afterRun, heapAfterRun,
                heapAfterGc, peakThreads, standIn);
        System.out.printf(Locale.ROOT, "CPU during inspect           controller %.1f s (%.2f ms/server), stand-in %.1f s"
                        + " (%.2f ms/server), of %.1f core-seconds; machine load average %.1f%n", controllerCpu,
                controllerCpu * 1000 / hosts, standInCpu, standInCpu * 1000 / hosts,
                inspectSeconds * Runtime.getRuntime().availableProcessors(), machineLoad);
        ssh.close();
    }

    private static void report(int hosts, int parallel, List<Inspection> inspections, Plan plan,
                               double inspectSeconds, double planSeconds, ProcessMemory atStart,
                               ProcessMemory afterRun, MemoryUsage heapAfterRun, MemoryUsage heapAfterGc,
                               int peakThreads, ProcessMemory standIn) {
        Map<Inspection.Status, Integer> statuses = new EnumMap<>(Inspection.Status.class);
        inspections.forEach(i -> statuses.merge(i.status(), 1, Integer::sum));
        Map<Decision, Long> decisions = new TreeMap<>(plan.counts());
        double total = inspectSeconds + planSeconds;
        long tookMillis = inspections.stream().mapToLong(i -> i.took().toMillis()).sorted().skip(inspections.size() / 2)
                .findFirst().orElse(0);
        long tookP99 = inspections.stream().mapToLong(i -> i.took().toMillis()).sorted()
                .skip((long) (inspections.size() * 0.99)).findFirst().orElse(0);
        double heapMb = heapAfterRun.getUsed() / 1048576.0;
        double rssMb = afterRun.rssKb() / 1024.0;

        System.out.println();
        System.out.println("== Fleetup scale benchmark ==");
        System.out.printf(Locale.ROOT, "servers (N)                  %d (parallelism %d, %d cores, max heap %d MiB)%n",
                hosts, parallel, Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() / 1048576);
        System.out.printf(Locale.ROOT, "inspect wall                 %.2f s  (%.0f servers/s; per server median %d ms,"
                + " p99 %d ms)%n", inspectSeconds, hosts / inspectSeconds, tookMillis, tookP99);
        System.out.printf(Locale.ROOT, "plan wall                    %.3f s%n", planSeconds);
        System.out.printf(Locale.ROOT, "inspect + plan               %.2f s  (%.0f servers/s)%n", total, hosts / total);
        System.out.println("inspections                  " + statuses);
        System.out.println("plan                         " + decisions);
        System.out.printf(Locale.ROOT, "controller heap used         %.0f MiB after the run, %.0f MiB after a full GC"
                + " (committed %.0f MiB)%n", heapMb, heapAfterGc.getUsed() / 1048576.0,
                heapAfterRun.getCommitted() / 1048576.0);
        System.out.println("controller memory at start   " + atStart);
        System.out.println("controller memory after      " + afterRun);
        System.out.println("controller threads peak      " + peakThreads);
        System.out.println("stand-in fleet (other JVM)   " + standIn);
        System.out.println();
        System.out.println("targets:");
        if (hosts >= PLAN_TARGET_SERVERS) {
            System.out.printf(Locale.ROOT, "  plan (inspect + plan) of %d servers <= %.0f s: %.2f s scaled to %d -> %s%n",
                    hosts, PLAN_TARGET_SECONDS, total, PLAN_TARGET_SERVERS,
                    total * PLAN_TARGET_SERVERS / hosts <= PLAN_TARGET_SECONDS ? "MET" : "MISSED");
        } else {
            System.out.printf(Locale.ROOT, "  plan of %d servers <= %.0f s: not measured at N=%d (run N=%d)%n",
                    PLAN_TARGET_SERVERS, PLAN_TARGET_SECONDS, hosts, PLAN_TARGET_SERVERS);
        }
        if (hosts == MEMORY_TARGET_SERVERS) {
            System.out.printf(Locale.ROOT, "  controller memory <= %.0f MB with %d servers: RSS %.0f MiB -> %s%n",
                    MEMORY_TARGET_MB, MEMORY_TARGET_SERVERS, rssMb,
                    afterRun.rssKb() * 1024.0 <= MEMORY_TARGET_MB * 1e6 ? "MET" : "MISSED");
        } else {
            System.out.printf(Locale.ROOT, "  controller memory <= %.0f MB with %d servers: not measured at N=%d"
                    + " (RSS here %.0f MiB)%n", MEMORY_TARGET_MB, MEMORY_TARGET_SERVERS, hosts, rssMb);
        }
    }

    private static Process startStandIn(Map<String, String> options, Path dir, int hosts) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + options.getOrDefault("stand-in-heap", "2g"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"),
                FleetStandIn.class.getName(),
                "--dir", dir.toString(), "--hosts", Integer.toString(hosts),
                "--base-port", options.getOrDefault("base-port", "20000"),
                "--servers", options.getOrDefault("stand-in-servers", "2"),
                "--io-threads", options.getOrDefault("stand-in-io-threads", "2")));
        if (options.containsKey("shell")) {
            command.add("--shell");
        }
        if (options.containsKey("shared-host-key")) {
            command.add("--shared-host-key");
        }
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("READY")) {
                System.err.println("stand-in fleet ready, PID " + process.pid() + ": " + line);
                return process;
            }
        }
        throw new IllegalStateException("the stand-in fleet ended before it was ready, exit status "
                + waitFor(process));
    }

    /** Stops the stand-in by its PID and waits for it to end. */
    private static void stop(Process standIn) throws InterruptedException {
        ProcessHandle.of(standIn.pid()).ifPresent(ProcessHandle::destroy);
        if (!standIn.waitFor(10, TimeUnit.SECONDS)) {
            ProcessHandle.of(standIn.pid()).ifPresent(ProcessHandle::destroyForcibly);
            standIn.waitFor();
        }
    }

    private static int waitFor(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The fleet the stand-in wrote, as provisioning would record it: address, user, key file; and the host key of
     * each, told to {@code trust}.
     */
    private static List<Server> readFleet(Path dir, ServerTrust trust) throws IOException {
        String keyFile = dir.resolve("client_key").toString();
        List<Server> servers = new ArrayList<>();
        List<String> lines = Files.readAllLines(dir.resolve(FleetStandIn.FLEET_FILE), StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.split(",", 4);
            Server server = new Server(fields[0], SimulatedFleet.CLUSTER, URI.create("ssh://127.0.0.1:" + fields[1]),
                    LoginSettings.of(FleetStandIn.USER, keyFile), Map.of());
            trust.trust(server, fields[3]);
            servers.add(server);
        }
        return servers;
    }

    /** What the network bundle's registry would answer with only the SSH transport installed. */
    private record SshOnly(Transport ssh) implements TransportRegistry {

        @Override
        public Transport transportFor(URI address) {
            if (!"ssh".equals(address.getScheme())) {
                throw new FleetupException(FleetupException.TRANSPORT_MISSING,
                        "No transport for scheme " + address.getScheme() + ".");
            }
            return ssh;
        }

        @Override
        public Map<String, String> schemes() {
            return Map.of("ssh", "fleetup-transport-ssh");
        }
    }
}
