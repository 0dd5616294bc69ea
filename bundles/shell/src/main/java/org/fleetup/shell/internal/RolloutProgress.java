package org.fleetup.shell.internal;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.api.upgrade.StepState;

/**
 * A progress bar for a running rollout. Events arrive on the rollout's threads and are only queued; the command's own
 * thread draws, because Karaf's console streams belong to the thread of the session.
 */
final class RolloutProgress implements StepListener {

    private static final int WIDTH = 30;

    private final int total;
    private final PrintStream out;
    private final Map<String, StepEvent> latest = new ConcurrentHashMap<>();
    private final Queue<StepEvent> ended = new ConcurrentLinkedQueue<>();

    RolloutProgress(int total, PrintStream out) {
        this.total = total;
        this.out = out;
    }

    @Override
    public void onStep(StepEvent event) {
        StepEvent previous = latest.put(event.server(), event);
        if (event.state().isFinal() && (previous == null || !previous.state().isFinal())) {
            ended.add(event);
        }
    }

    /** Prints the servers that ended since the last call, then the bar. */
    void draw() {
        StepEvent event;
        while ((event = ended.poll()) != null) {
            out.print("\r\033[K");
            out.printf("  %-14s %-11s %s%n", event.server(), ReportStatus.of(event.state()).label(),
                    event.detail() == null ? "" : event.detail());
        }
        Map<StepState, Integer> counts = new EnumMap<>(StepState.class);
        long sent = 0;
        long toSend = 0;
        for (StepEvent last : latest.values()) {
            counts.merge(last.state(), 1, Integer::sum);
            if (last.state() == StepState.TRANSFERRING) {
                sent += last.done();
                toSend += last.total();
            }
        }
        int done = count(counts, StepState.DONE);
        int skipped = count(counts, StepState.SKIPPED);
        int failed = count(counts, StepState.FAILED) + count(counts, StepState.ROLLED_BACK);
        int finished = done + skipped + failed;
        int filled = total == 0 ? WIDTH : finished * WIDTH / total;
        StringBuilder bar = new StringBuilder("\r\033[K[");
        bar.append("#".repeat(filled)).append("-".repeat(WIDTH - filled)).append("] ");
        bar.append(finished).append('/').append(total).append("  upgraded ").append(done).append("  skipped ")
                .append(skipped).append("  failed ").append(failed);
        int busy = latest.size() - finished;
        if (busy > 0) {
            bar.append("  | working on ").append(busy);
        }
        if (toSend > 0) {
            bar.append(String.format("  | sending %s of %s", Formats.bytes(sent), Formats.bytes(toSend)));
        }
        out.print(bar);
        out.flush();
    }

    void finish() {
        draw();
        out.println();
    }

    private static int count(Map<StepState, Integer> counts, StepState state) {
        return counts.getOrDefault(state, 0);
    }
}
