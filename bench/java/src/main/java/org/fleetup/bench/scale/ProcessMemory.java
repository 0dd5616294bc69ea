package org.fleetup.bench.scale;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Resident and proportional memory of a process, from Linux's /proc (kB there, MiB here). */
record ProcessMemory(long rssKb, long pssKb, long peakRssKb) {

    static ProcessMemory of(long pid) {
        String process = pid < 0 ? "self" : Long.toString(pid);
        return new ProcessMemory(field(Path.of("/proc", process, "smaps_rollup"), "Rss:"),
                field(Path.of("/proc", process, "smaps_rollup"), "Pss:"),
                field(Path.of("/proc", process, "status"), "VmHWM:"));
    }

    static ProcessMemory self() {
        return of(-1);
    }

    /** User plus system CPU time the process has used, in seconds (from /proc/PID/stat, at 100 ticks a second). */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the fields after the command name, which is in parentheses and may hold spaces
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long field(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "RSS %.0f MiB, PSS %.0f MiB, peak RSS %.0f MiB", rssKb / 1024.0,
                pssKb / 1024.0, peakRssKb / 1024.0);
    }
}
