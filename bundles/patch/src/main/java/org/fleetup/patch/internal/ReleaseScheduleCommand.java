package org.fleetup.patch.internal;

import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.FleetupException;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.rollout.Scheduler;

/**
 * Publishes a stored release to its product's pull agents from a time on; until then they are told to come back at
 * that time. A new schedule of the product replaces the earlier one.
 */
@Command(scope = "fleet", name = "release-schedule", description = "Publishes a release to the pull agents at a time")
@Service
public class ReleaseScheduleCommand implements Action {

    @Reference
    private PullRollouts rollouts;

    @Reference
    private ReleaseStore store;

    @Reference
    private Scheduler scheduler;

    @Argument(index = 0, name = "release", required = true, description = "The release, PRODUCT/VERSION")
    private String release;

    @Option(name = "--at", description = "When it is published: now (the default), 03:00, 2026-12-01T03:00 or an "
            + "ISO instant")
    private String at;

    @Option(name = "--wave-size", description = "How many agents are offered it at once; the next ones when these "
            + "ended. 0 (the default): every agent at once")
    private int waveSize;

    @Option(name = "--max-errors", description = "Failures of one wave (failed, rolled back, or silent past the pull "
            + "deadline) at which its rollout pauses. 0 (the default): never")
    private int maxErrors;

    @Override
    public Object execute() {
        int slash = release.indexOf('/');
        if (slash < 1 || slash == release.length() - 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Name the release as PRODUCT/VERSION, such as "
                    + "demo-app/2.0.0, not '" + release + "'.");
        }
        String product = release.substring(0, slash);
        String version = release.substring(slash + 1);
        if (store.find(product, version).isEmpty()) {
            throw new FleetupException(FleetupException.RELEASE_NOT_FOUND, "The store holds no release " + release
                    + ": add it first with fleet:release-add.");
        }
        Instant when = at == null || "now".equalsIgnoreCase(at.strip()) ? Instant.now() : scheduler.resolve(at);
        if (waveSize < 0 || maxErrors < 0) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "--wave-size and --max-errors are 0 or more.");
        }
        ScheduledRelease published = rollouts.publish(new ScheduledRelease(product, version, when, waveSize,
                maxErrors), "console");
        System.out.println("Release " + release + " is published to the " + product + " pull agents at " + when
                + (waveSize > 0 ? ", " + waveSize + " agents at a time" : "")
                + (maxErrors > 0 ? ", paused when " + maxErrors + " of a wave failed" : "") + ", by rollout "
                + published.rollout() + " ('fleet:rollout-status " + published.rollout() + "').");
        return null;
    }
}
