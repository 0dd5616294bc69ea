package org.fleetup.shell.internal;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.comparison.PlanEntry;

/** A plan as the console shows it, before anything changes. */
final class PlanTable {

    private PlanTable() {
    }

    static void print(Plan plan, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("Runs");
        table.column("Decision");
        table.column("Why").maxSize(100).wrap();
        plan.entries().forEach(entry -> table.addRow().addContent(entry.server(),
                runs(entry), entry.decision(), entry.reason()));
        table.print(out);
        Map<Decision, Long> counts = plan.counts();
        out.println("Plan for " + plan.release().coordinates() + ": " + Arrays.stream(Decision.values())
                .filter(counts::containsKey)
                .map(d -> counts.get(d) + " " + d)
                .collect(Collectors.joining(", ")));
    }

    // "?" is a version that could not be read; a server with nothing installed runs nothing, and says so.
    private static String runs(PlanEntry entry) {
        if (entry.running() != null) {
            return entry.running();
        }
        return entry.decision() == Decision.INSTALL ? "nothing" : "?";
    }
}
