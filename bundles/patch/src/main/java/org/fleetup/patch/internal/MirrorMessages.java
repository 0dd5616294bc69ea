package org.fleetup.patch.internal;

import java.time.Instant;
import java.util.List;

import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;

/** The JSON a primary and its mirrors exchange. */
final class MirrorMessages {

    private MirrorMessages() {
    }

    /** A release the primary holds: the mirror fetches nothing itself, it is sent the blob it lacks. */
    record ReleaseEntry(String product, String version, String kind, String sha256, long size, String fileName) {
        static ReleaseEntry of(Release release) {
            return new ReleaseEntry(release.product(), release.version(), release.kind(), release.sha256(),
                    release.size(), release.fileName());
        }
    }

    record ScheduleEntry(String product, String version, Instant at, int waveSize, int maxErrors) {
        static ScheduleEntry of(ScheduledRelease schedule) {
            return new ScheduleEntry(schedule.product(), schedule.version(), schedule.at(), schedule.waveSize(),
                    schedule.maxErrors());
        }

        ScheduledRelease schedule() {
            return new ScheduledRelease(product, version, at, waveSize, maxErrors);
        }
    }

    /** An agent record as instances pass it on: what a check tells. */
    record AgentEntry(String mac, String address, String product, String version, Instant lastCheck,
                      Instant nextCheck, String server) {
        static AgentEntry of(PullAgentRecord agent) {
            return new AgentEntry(agent.mac(), agent.address(), agent.product(), agent.version(), agent.lastCheck(),
                    agent.nextCheck(), agent.server());
        }

        PullAgentRecord record() {
            return new PullAgentRecord(mac, address, product, version == null ? "" : version, lastCheck, nextCheck,
                    server);
        }
    }

    /** The primary's state: its releases, its schedule, its agents (merged from every mirror). */
    record SyncRequest(List<ReleaseEntry> releases, List<ScheduleEntry> schedules, List<AgentEntry> agents) {
    }

    /** A blob the mirror lacks, and how much of it arrived already. */
    record MissingBlob(String sha256, long size, long have) {
    }

    record SyncAnswer(List<MissingBlob> missing, List<AgentEntry> agents, int releases) {
    }

    record BlobAnswer(long have, boolean complete, String detail) {
    }

    record Hello(String keyId) {
    }
}
