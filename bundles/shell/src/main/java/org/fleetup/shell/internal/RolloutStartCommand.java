package org.fleetup.shell.internal;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Decision;
import org.fleetup.api.comparison.Plan;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.FleetInspection;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutOptions;
import org.fleetup.api.rollout.RolloutRequest;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.rollout.Rollouts;
import org.fleetup.api.rollout.Scheduler;
import org.fleetup.api.rollout.WaveOptions;
import org.fleetup.api.rollout.ReportStatus;

@Command(scope = "fleet", name = "rollout-start",
        description = "Shows the plan, then upgrades the servers to a release, now or at a set time")
@Service
public class RolloutStartCommand implements Action {

    @Reference
    private FleetInspection fleet;

    @Reference
    private Rollouts rollouts;

    @Reference
    private Inventory inventory;

    @Reference
    private ReleaseStore store;

    @Reference
    private Scheduler scheduler;

    @Reference
    private Session session;

    @Option(name = "--release", required = true, description = "The release, PRODUCT/VERSION")
    @Completion(ReleaseCompleter.class)
    private String release;

    @Option(name = "--parallel", description = "How many servers are upgraded at once")
    private int parallel = 10;

    @Option(name = "--canary", description = "The first wave: " + WaveOptions.PERCENT_HELP + "; default 1")
    private String canary;

    @Option(name = "--wave", description = "Every later wave: " + WaveOptions.PERCENT_HELP
            + "; default '25%'. A wave starts once every server of the one before has ended verified")
    private String wave;

    @Option(name = "--max-errors", description = "Failed servers of one wave (unreachable and timed-out ones"
            + " count) that stop the rollout: " + WaveOptions.PERCENT_HELP + " of the wave; default '10%'")
    private String maxErrors;

    @Option(name = "--on-error", description = "What stopping means: pause (resume or cancel it then) or abort;"
            + " default pause")
    private String onError;

    @Option(name = "--order", description = "The order of the servers: speed (fastest link first), name or"
            + " random; default speed")
    private String order;

    @Option(name = "--at", description = "When to start: now, 03:00, 2026-12-01T03:00 or an ISO instant")
    private String at;

    @Option(name = "--cluster", description = "Only the servers of this cluster")
    private String cluster;

    @Option(name = "--force", description = "Also downgrade servers that run something newer")
    private boolean force;

    @Option(name = "--yes", description = "Do not ask before starting")
    private boolean yes;

    @Option(name = "--wait", description = "Follow the rollout with a progress bar until it ends")
    private boolean await;

    @Option(name = "--timeout", description = "With --wait, stop following (and fail) when the rollout has not"
            + " ended within this time, its wait for a start time included: 90s, 30m, 6h or an ISO duration (PT6H);"
            + " the rollout goes on")
    private String timeout = "6h";

    @Option(name = "--report", description = "With --wait, write CSV name,status,detail to this file")
    @Completion(FileCompleter.class)
    private String report;

    @Argument(index = 0, name = "servers", multiValued = true, description = "The servers; all by default")
    @Completion(ServerNameCompleter.class)
    private List<String> servers;

    @Override
    public Object execute() throws Exception {
        RolloutOptions options = WaveOptions.parse(canary, wave, maxErrors, onError, order, parallel, force);
        // Refused here when it has passed or is too far ahead: before the plan, and before anything is saved.
        Instant start = scheduler.resolve(at);
        Duration waitLimit = Formats.parseDuration("--timeout", timeout);
        Instant asked = Instant.now();
        Release target = ReleaseCoordinates.resolve(store, release);
        List<Server> selected = ServerSelection.of(inventory, servers, cluster);
        PrintStream out = session.getConsole();

        Plan plan = fleet.plan(target, selected, parallel, force);
        PlanTable.print(plan, out);
        WavePlan.print(plan, options, rollouts.estimate(plan, options), out);
        if (!yes && !confirmed(changes(plan) + " of " + selected.size() + " servers to "
                + target.coordinates() + " " + when(start) + "? [y/N] ")) {
            out.println("Nothing changed.");
            return null;
        }
        // Now stays now however long the plan and the question took; a set time is checked again.
        Instant requested = start.isAfter(asked) ? start : null;
        Rollout rollout = rollouts.start(new RolloutRequest(target.product(), target.version(),
                selected.stream().map(Server::name).toList(), parallel, requested, force, Actors.current(), options));
        out.println("Rollout " + rollout.id() + " of " + target.coordinates() + " on " + selected.size()
                + " servers, " + parallel + " at a time, starts " + when(start) + ".");
        if (!await) {
            out.println("Follow it with 'fleet:rollout-status " + rollout.id() + "'.");
            return null;
        }
        return follow(rollout, selected.size(), Instant.now().plus(waitLimit), out);
    }

    private Object follow(Rollout rollout, int count, Instant giveUpAt, PrintStream out) throws Exception {
        RolloutProgress progress = new RolloutProgress(count, out);
        CompletableFuture<Rollout> completion = rollouts.completion(rollout.id()).toCompletableFuture();
        Rollout ended;
        AutoCloseable watching = rollouts.watch(rollout.id(), progress);
        try {
            ended = awaitEnd(rollout.id(), completion, progress, giveUpAt);
        } catch (TimeoutException e) {
            out.println();
            throw new FleetupException(FleetupException.ROLLOUT_FAILED, "Rollout " + rollout.id() + " has not ended by "
                    + Formats.timeAndZone(giveUpAt, scheduler.zone()) + " (--timeout " + timeout + "): stopped following "
                    + "it; it goes on. "
                    + "Follow it with 'fleet:rollout-status " + rollout.id() + "'.");
        } catch (InterruptedException e) {
            out.println();
            out.println("Detached: rollout " + rollout.id() + " goes on. Follow it with 'fleet:rollout-status "
                    + rollout.id() + "'.");
            Thread.currentThread().interrupt();
            return null;
        } finally {
            watching.close();
        }
        progress.finish();
        List<RolloutServer> outcome = rollouts.servers(rollout.id());
        out.println("Rollout " + ended.id() + " " + ended.status() + (ended.detail() == null ? "" : ": "
                + ended.detail()));
        List<RolloutServer> failed = outcome.stream().filter(s -> ReportStatus.of(s).isFailure()).toList();
        if (!failed.isEmpty()) {
            // What each runs now is its To column, where the outcome knows it; a blank one is not known (the detail
            // says why, e.g. a rollback that could not reconnect).
            out.println("Servers that failed to get " + ended.product() + "/" + ended.version() + ", and why (To: the"
                    + " version each runs now; blank: not known, see Detail):");
            RolloutReport.print(outcome, true, out);
        }
        if (report != null) {
            RolloutReport.write(outcome, Path.of(report));
            out.println("Report written to " + report);
        }
        if (ended.status() == RolloutStatus.PAUSED) {
            // It waits for an operator: a script must not take that for success, nor wait for ever.
            throw new FleetupException(FleetupException.ROLLOUT_FAILED, Pauses.explain(ended,
                    rollouts.waves(ended.id()), outcome));
        }
        if (ended.status() == RolloutStatus.CANCELLED) {
            // No success, even when no server failed: the servers it did not start still run what they ran.
            throw new FleetupException(FleetupException.ROLLOUT_CANCELLED, "Rollout " + ended.id() + " was "
                    + ended.detail() + ". 'fleet:rollout-status " + ended.id() + "' shows every server.");
        }
        if (!failed.isEmpty()) {
            throw new FleetupException(FleetupException.ROLLOUT_FAILED, failed.size() + " of " + outcome.size()
                    + " servers failed to get " + ended.product() + "/" + ended.version() + ": " + String.join(", ", failed.stream().map(RolloutServer::server).toList()));
        }
        return null;
    }

    /** Redraws the bar until the rollout ends or pauses, or until {@code giveUpAt}. */
    private Rollout awaitEnd(String id, CompletableFuture<Rollout> completion, RolloutProgress progress,
                             Instant giveUpAt) throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            try {
                return completion.get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillRunning) {
                // A paused rollout has not ended, so its completion waits: the stored status says it paused.
                Rollout now = rollouts.require(id);
                if (now.status() == RolloutStatus.PAUSED) {
                    return now;
                }
                if (Instant.now().isAfter(giveUpAt)) {
                    throw stillRunning;
                }
                progress.draw();
            }
        }
    }

    /** "Upgrade 3", or "Upgrade 3 and install 1" when servers with nothing installed get their first release. */
    static String changes(Plan plan) {
        int installs = plan.entries(Decision.INSTALL).size();
        return "Upgrade " + plan.entries(Decision.UPGRADE).size() + (installs == 0 ? "" : " and install " + installs);
    }

        private boolean confirmed(String question) throws IOException {
        String answer = session.readLine(question, null);
        return answer != null && answer.trim().toLowerCase(Locale.ROOT).startsWith("y");
    }

    private String when(Instant start) {
        return start.isAfter(Instant.now().plusSeconds(1)) ? "at " + Formats.timeAndZone(start, scheduler.zone())
                : "now";
    }
}
