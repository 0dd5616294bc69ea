import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lightweight stand-ins for N pull agents: each is only a MAC and a version, checking the patch server's
 * {@code POST agents/{mac}/check} over HTTP as the real agent does (the same text body). Run with the JDK's
 * single-file launcher (java CheckLoad.java ...), by bench/pull-checks.sh.
 *
 *   register BASE N CONCURRENCY OLD_EVERY            every agent checks once (its registration)
 *   load BASE N CONCURRENCY OLD_EVERY SECONDS PID    random agents check for SECONDS; the controller PID's CPU and
 *                                                    PSS are read from /proc around the measured time
 *
 * Agent i runs 1.4.2 when i % OLD_EVERY == 0 (offered the release once it is published), else 2.0.0 (nothing newer).
 */
public final class CheckLoad {

    private CheckLoad() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String base = args[1];
        int agents = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int oldEvery = Integer.parseInt(args[4]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4)).build();
        if ("register".equals(mode)) {
            AtomicInteger next = new AtomicInteger();
            Result result = run(concurrency, () -> {
                int i = next.getAndIncrement();
                return i < agents ? i : -1;
            }, http, base, oldEvery, Long.MAX_VALUE);
            result.print("registration (each agent's first check)");
            System.exit(0); // the HTTP client's threads would keep the JVM up
        }
        int seconds = Integer.parseInt(args[5]);
        long pid = Long.parseLong(args[6]);
        double cpuBefore = cpuSeconds(pid);
        long started = System.nanoTime();
        long end = started + seconds * 1_000_000_000L;
        Result result = run(concurrency, () -> ThreadLocalRandom.current().nextInt(agents), http, base, oldEvery, end);
        double wall = (System.nanoTime() - started) / 1e9;
        double cpu = cpuSeconds(pid) - cpuBefore;
        result.print("load (" + agents + " agents, " + concurrency + " checks in flight, " + seconds + " s)");
        System.out.printf("controller CPU: %.1f s in %.1f s of wall time (%.2f cores); %.2f ms of CPU per check%n",
                cpu, wall, cpu / wall, 1000 * cpu / Math.max(1, result.count()));
        System.out.println("controller PSS: " + pssMib(pid) + " MiB, RSS: " + rssMib(pid) + " MiB");
        System.exit(0); // the HTTP client's threads would keep the JVM up
    }

    interface Next {
        int agent();
    }

    private static Result run(int concurrency, Next next, HttpClient http, String base, int oldEvery, long end)
            throws Exception {
        ExecutorService workers = Executors.newFixedThreadPool(concurrency);
        List<Future<Result>> futures = new ArrayList<>();
        long started = System.nanoTime();
        for (int w = 0; w < concurrency; w++) {
            futures.add(workers.submit(() -> {
                Result mine = new Result();
                int agent;
                while (System.nanoTime() < end && (agent = next.agent()) >= 0) {
                    mine.add(check(http, base, agent, oldEvery));
                }
                return mine;
            }));
        }
        Result all = new Result();
        for (Future<Result> future : futures) {
            all.merge(future.get());
        }
        workers.shutdown();
        all.wallNanos = System.nanoTime() - started;
        return all;
    }

    /** One check; its latency in nanoseconds and what it was answered. */
    private static long[] check(HttpClient http, String base, int agent, int oldEvery) {
        String mac = String.format("02-10-%02x-%02x-%02x-%02x", (agent >> 24) & 0xff, (agent >> 16) & 0xff,
                (agent >> 8) & 0xff, agent & 0xff);
        String version = agent % oldEvery == 0 ? "1.4.2" : "2.0.0";
        String body = "product: demo-app\nversion: " + version + "\naddress: 10." + ((agent >> 16) & 0xff) + "."
                + ((agent >> 8) & 0xff) + "." + (agent & 0xff) + "\nsequence: 0\ninterval: 1800\n";
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/agents/" + mac + "/check"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long start = System.nanoTime();
        int kind;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 503) {
                kind = Result.BUSY;
            } else if (response.statusCode() != 200) {
                kind = Result.ERROR;
            } else if (response.body().startsWith("action: update")) {
                kind = Result.OFFERED;
            } else if (response.body().startsWith("action: none")) {
                kind = Result.NONE;
            } else {
                kind = Result.OTHER;
            }
        } catch (IOException | InterruptedException e) {
            kind = Result.ERROR;
        }
        return new long[] {System.nanoTime() - start, kind};
    }

    private static final class Result {
        static final int NONE = 0;
        static final int OFFERED = 1;
        static final int BUSY = 2;
        static final int OTHER = 3;
        static final int ERROR = 4;
        long[] latencies = new long[1024];
        int size;
        final long[] kinds = new long[5];
        long wallNanos;

        void add(long[] check) {
            latency(check[0]);
            kinds[(int) check[1]]++;
        }

        private void latency(long nanos) {
            if (size == latencies.length) {
                latencies = Arrays.copyOf(latencies, size * 2);
            }
            latencies[size++] = nanos;
        }

        void merge(Result other) {
            for (int i = 0; i < other.size; i++) {
                latency(other.latencies[i]);
            }
            for (int k = 0; k < kinds.length; k++) {
                kinds[k] += other.kinds[k];
            }
        }

        int count() {
            return size;
        }

        void print(String what) {
            long[] sorted = Arrays.copyOf(latencies, size);
            Arrays.sort(sorted);
            double seconds = wallNanos / 1e9;
            System.out.printf("%s: %d checks in %.1f s = %.0f checks/s%n", what, size, seconds, size / seconds);
            System.out.printf("  answers: %d nothing newer, %d offered, %d busy (503), %d other, %d errors%n",
                    kinds[NONE], kinds[OFFERED], kinds[BUSY], kinds[OTHER], kinds[ERROR]);
            System.out.printf("  latency ms: p50 %.1f, p90 %.1f, p99 %.1f, p99.9 %.1f, max %.1f%n", pct(sorted, 50),
                    pct(sorted, 90), pct(sorted, 99), pct(sorted, 99.9), sorted.length == 0 ? 0 : sorted[size - 1] / 1e6);
        }

        private static double pct(long[] sorted, double p) {
            return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length)
                    - 1)] / 1e6;
        }
    }

    /** utime + stime of the process, from /proc/PID/stat (fields 14 and 15, in clock ticks of 1/100 s). */
    private static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    private static long pssMib(long pid) throws IOException {
        return kib(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:") / 1024;
    }

    private static long rssMib(long pid) throws IOException {
        return kib(Path.of("/proc/" + pid + "/status"), "VmRSS:") / 1024;
    }

    private static long kib(Path file, String field) throws IOException {
        return Files.readAllLines(file).stream().filter(line -> line.startsWith(field)).findFirst()
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", ""))).orElse(-1L);
    }
}
