package org.fleetup.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.ReportStatus;

/**
 * How a rollout ended, server by server: on the console, and as CSV {@code name,status,detail}, the status one of
 * {@link ReportStatus#label()} ({@code upgraded}, {@code skipped}, {@code failed}, {@code rolled-back},
 * {@code not-installable}, {@code not-started}; {@code pending} only for a rollout that has not ended).
 */
final class RolloutReport {

    private RolloutReport() {
    }

    static void print(List<RolloutServer> servers, boolean onlyProblems, PrintStream out) {
        ShellTable table = new ShellTable();
        table.column("Server");
        table.column("Wave");
        table.column("Status");
        table.column("Step");
        table.column("From");
        table.column("To");
        table.column("Detail").maxSize(110).wrap();
        servers.stream()
                .filter(s -> !onlyProblems || ReportStatus.of(s).isFailure())
                .forEach(s -> table.addRow().addContent(s.server(), s.wave() == 0 ? "" : s.wave(),
                        ReportStatus.of(s).label(), s.state(),
                        s.from() == null ? "" : s.from(), s.to() == null ? "" : s.to(),
                        s.detail() == null ? "" : s.detail()));
        table.print(out);
    }

    static void write(List<RolloutServer> servers, Path file) throws IOException {
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
             CSVPrinter csv = new CSVPrinter(writer,
                     CSVFormat.DEFAULT.builder().setHeader("name", "status", "detail").setRecordSeparator('\n').build())) {
            for (RolloutServer server : servers) {
                csv.printRecord(server.server(), ReportStatus.of(server).label(),
                        server.detail() == null ? "" : server.detail());
            }
        }
    }
}
