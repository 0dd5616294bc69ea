package org.fleetup.patch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.MirrorAlarm;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.patch.internal.MirrorMessages.AgentEntry;
import org.fleetup.patch.internal.MirrorMessages.BlobAnswer;
import org.fleetup.patch.internal.MirrorMessages.MissingBlob;
import org.fleetup.patch.internal.MirrorMessages.ReleaseEntry;
import org.fleetup.patch.internal.MirrorMessages.ScheduleEntry;
import org.fleetup.patch.internal.MirrorMessages.SyncAnswer;
import org.fleetup.patch.internal.MirrorMessages.SyncRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The primary's syncs of its mirrors. Each mirror is synced on its own, at most one sync at a time, on a pool of its
 * own: a mirror that is down or slow holds one thread for at most the call timeout, never the primary or the other
 * mirrors. A sync hands the mirror the releases, the schedule and the merged agents, takes back its agents (merged by
 * MAC, newer applied version wins), sends the blobs it lacks (only those, from where each broke off), and checks for
 * releases overdue there. A failed sync is retried with a back-off doubling from {@code retryMin} to
 * {@code retryMax}; a sync that succeeds comes back after {@code interval}.
 */
final class MirrorSync {

    private static final Logger LOGGER = LoggerFactory.getLogger(MirrorSync.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    /** How often, how long, how far behind. */
    record Settings(Duration interval, Duration retryMin, Duration retryMax, Duration overdueGrace, int chunkBytes) {
    }

    private final MirrorRegistry mirrors;
    private final PullRegistry pull;
    private final ReleaseStore store;
    private final AgentMerge merge;
    private final MirrorClient client;
    private final Settings settings;
    private final Clock clock;
    private final ObjectMapper json;
    private final Map<String, Instant> nextAttempt = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    MirrorSync(MirrorRegistry mirrors, PullRegistry pull, ReleaseStore store, AgentMerge merge, MirrorClient client,
               Settings settings, Clock clock, ObjectMapper json) {
        this.mirrors = mirrors;
        this.pull = pull;
        this.store = store;
        this.merge = merge;
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.json = json;
    }

    /** Adds the mirror once it answered a signed hello with the key named, and accepted this primary's. */
    Mirror add(String name, URI url, String publicKey) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "A mirror's name is letters, digits, '.', "
                    + "'_' and '-', not '" + name + "'.");
        }
        if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))
                || url.getHost() == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "A mirror's URL is its base URL, such as "
                    + "http://mirror-east:8181, not '" + url + "'.");
        }
        String line = publicKey == null ? "" : publicKey.strip();
        try {
            if (TrustedKeys.parse(List.of(line)).size() != 1) {
                throw new IllegalArgumentException("no key");
            }
        } catch (IllegalArgumentException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The mirror's key is one line 'ssh-ed25519 "
                    + "AAAA... comment', which 'fleet:agent-key' prints on the mirror.");
        }
        if (mirrors.mirror(name).isPresent()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "A mirror named " + name + " exists: "
                    + "'fleet:mirror-list' shows it; choose another name.");
        }
        Mirror mirror = new Mirror(name, url, line, clock.instant(), null, Mirror.NEW, "", 0, 0);
        MirrorClient.Answer hello = client.hello(mirror);
        if (hello.status() != 200) {
            throw new FleetupException(FleetupException.AUTHENTICATION_FAILED, "Mirror " + name + " at " + url
                    + " refused this primary (HTTP " + hello.status() + ": " + new String(hello.body(),
                    StandardCharsets.UTF_8) + "). Put this primary's key ('fleet:agent-key' here) in "
                    + "the mirror's primaryKeys file (etc/org.fleetup.mirror.cfg there).");
        }
        mirrors.add(mirror);
        due(name);
        LOGGER.info("Mirror {} added at {}, its key {} pinned", name, url,
                TrustedKeys.keyId(MirrorClient.pinned(mirror)));
        return mirrors.mirror(name).orElse(mirror);
    }

    /** Starts, on {@code pool}, the sync of every mirror that is due and not being synced. */
    void tick(Executor pool) {
        Instant now = clock.instant();
        for (Mirror mirror : mirrors.mirrors()) {
            String name = mirror.name();
            if (nextAttempt.getOrDefault(name, Instant.MIN).isAfter(now) || !running.add(name)) {
                continue;
            }
            try {
                pool.execute(() -> {
                    try {
                        sync(name);
                    } finally {
                        running.remove(name);
                    }
                });
            } catch (RejectedExecutionException e) {
                running.remove(name);
            }
        }
    }

    /** When the mirror's next sync is due; {@code null} when it is due now. */
    Instant nextAttempt(String name) {
        return nextAttempt.get(name);
    }

    /** Makes the mirror due now. */
    void due(String name) {
        nextAttempt.remove(name);
    }

    /** Syncs the mirror once, now; a failure is recorded and scheduled for a retry, not thrown. */
    Mirror sync(String name) {
        Optional<Mirror> found = mirrors.mirror(name);
        if (found.isEmpty()) {
            nextAttempt.remove(name);
            throw new FleetupException(FleetupException.INVALID_INPUT, "No mirror named " + name
                    + ": 'fleet:mirror-list' shows the mirrors.");
        }
        Mirror mirror = found.get();
        MDC.put("mirror", name);
        try {
            mirrors.syncing(name);
            String detail = syncOnce(mirror);
            nextAttempt.put(name, clock.instant().plus(settings.interval()));
            if (Mirror.DOWN.equals(mirror.state())) {
                LOGGER.info("Mirror {} at {} is back: {}", name, mirror.url(), detail);
            }
        } catch (FleetupException | UncheckedIOException | IllegalStateException e) {
            int failures = mirror.failures() + 1;
            Duration wait = backOff(failures);
            Instant retry = clock.instant().plus(wait);
            nextAttempt.put(name, retry);
            String reason = String.valueOf(e.getMessage()).replaceAll("\\.$", "");
            mirrors.failed(name, failures, reason + " (failure " + failures + "; retried at " + retry + ")");
            LOGGER.warn("Mirror {} at {} is down, failure {}: {}. Retried in {} s; the other mirrors go on.", name,
                    mirror.url(), failures, reason, wait.toSeconds());
        } finally {
            MDC.remove("mirror");
        }
        return mirrors.mirror(name).orElse(mirror);
    }

    /** {@code retryMin} doubled at each failure after the first, at most {@code retryMax}. */
    Duration backOff(int failures) {
        Duration wait = settings.retryMin();
        for (int i = 1; i < failures && wait.compareTo(settings.retryMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.retryMax()) > 0 ? settings.retryMax() : wait;
    }

    private String syncOnce(Mirror mirror) {
        List<Release> releases = store.list();
        SyncAnswer answer = exchange(mirror, releases);
        int sent = 0;
        for (MissingBlob blob : answer.missing()) {
            Optional<Release> release = releases.stream().filter(r -> r.sha256().equals(blob.sha256())).findFirst();
            if (release.isPresent()) {
                send(mirror, release.get(), blob.have());
                sent++;
            }
        }
        if (sent > 0) {
            // Sent: the mirror commits them now, in the same sync.
            answer = exchange(mirror, releases);
        }
        List<PullAgentRecord> agents = answer.agents().stream().map(AgentEntry::record).toList();
        mirrors.mirrorAgents(mirror.name(), agents);
        List<PullAgentRecord> taken = merge.merge(pull, agents, "mirror " + mirror.name());
        alarms(mirror, agents);
        String detail = sent + " blobs sent, " + answer.missing().size() + " releases missing, " + agents.size()
                + " agents, " + taken.size() + " newer taken";
        mirrors.synced(mirror.name(), clock.instant(), answer.missing().size(), detail);
        LOGGER.debug("Mirror {} synced: {}", mirror.name(), detail);
        return detail;
    }

    private SyncAnswer exchange(Mirror mirror, List<Release> releases) {
        SyncRequest request = new SyncRequest(releases.stream().map(ReleaseEntry::of).toList(),
                pull.schedules().stream().map(ScheduleEntry::of).toList(),
                pull.agents().stream().map(AgentEntry::of).toList());
        MirrorClient.Answer answer = client.sync(mirror, request);
        if (answer.status() != 200) {
            throw refused(mirror, "sync", answer);
        }
        return read(answer, SyncAnswer.class);
    }

    /** Sends the release's blob from byte {@code from} on, in chunks; resumes where the mirror says it holds. */
    private void send(Mirror mirror, Release release, long from) {
        long offset = from;
        boolean resumed = false;
        while (offset < release.size()) {
            byte[] chunk = chunk(release, offset);
            MirrorClient.Answer answer = client.blob(mirror, release.sha256(), offset, release.size(), chunk);
            BlobAnswer blob = read(answer, BlobAnswer.class);
            if (answer.status() == 409 && !resumed) {
                // The mirror holds another length than it said (an earlier sync's bytes arrived late): from there.
                resumed = true;
                offset = blob.have();
                continue;
            }
            if (answer.status() != 200) {
                throw refused(mirror, "blob " + release.sha256(), answer);
            }
            offset = blob.complete() ? release.size() : blob.have();
        }
        LOGGER.info("Release {} sent to mirror {} ({} bytes, from byte {})", release.coordinates(), mirror.name(),
                release.size(), from);
    }

    private byte[] chunk(Release release, long offset) {
        try (InputStream in = store.open(release)) {
            in.skipNBytes(offset);
            return in.readNBytes((int) Math.min(settings.chunkBytes(), release.size() - offset));
        } catch (IOException e) {
            throw new UncheckedIOException("Release " + release.coordinates() + " cannot be read from the store: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Raises an alarm for each scheduled release whose time (and grace) has passed while some of the mirror's agents
     * of its product still run an older version; clears it once the schedule is no longer overdue there: a new time
     * (which this sync handed the mirror) or every agent on it.
     */
    private void alarms(Mirror mirror, List<PullAgentRecord> agents) {
        Instant now = clock.instant();
        Map<String, MirrorAlarm> open = new ConcurrentHashMap<>();
        mirrors.alarms(true).stream().filter(alarm -> alarm.mirror().equals(mirror.name()))
                .forEach(alarm -> open.put(alarm.product(), alarm));
        for (ScheduledRelease schedule : pull.schedules()) {
            List<String> behind = new ArrayList<>();
            for (PullAgentRecord agent : agents) {
                if (agent.product().equals(schedule.product())
                        && merge.newer(schedule.version(), agent.version() == null ? "" : agent.version())) {
                    behind.add(agent.mac());
                }
            }
            boolean overdue = !behind.isEmpty() && !now.isBefore(schedule.at().plus(settings.overdueGrace()));
            MirrorAlarm was = open.get(schedule.product());
            if (was != null && (!overdue || !was.version().equals(schedule.version())
                    || !was.scheduledAt().equals(schedule.at()))) {
                mirrors.clear(mirror.name(), schedule.product(), now);
                LOGGER.info("Alarm cleared: release {}/{} on mirror {} is no longer overdue (scheduled at {})",
                        schedule.product(), schedule.version(), mirror.name(), schedule.at());
            }
            if (overdue && mirrors.raise(new MirrorAlarm(mirror.name(), schedule.product(), schedule.version(),
                    schedule.at(), behind.size(), now, null))) {
                LOGGER.warn("ALARM: release {}/{} is overdue on mirror {}: scheduled at {}, {} of its agents still "
                        + "run an older version ({}). Update the time with 'fleet:release-schedule {}/{} --at TIME': "
                        + "the new time goes to the mirrors and clears this alarm.", schedule.product(),
                        schedule.version(), mirror.name(), schedule.at(), behind.size(), String.join(", ", behind),
                        schedule.product(), schedule.version());
            }
        }
    }

    private <T> T read(MirrorClient.Answer answer, Class<T> type) {
        try {
            return json.readValue(answer.body(), type);
        } catch (IOException e) {
            throw new IllegalStateException("The mirror's answer (HTTP " + answer.status() + ") does not parse: "
                    + e.getMessage(), e);
        }
    }

    private FleetupException refused(Mirror mirror, String what, MirrorClient.Answer answer) {
        String reason;
        try {
            reason = json.readTree(answer.body()).path("detail").asText("");
        } catch (IOException e) {
            reason = "";
        }
        return new FleetupException(answer.status() == 403 || answer.status() == 401
                ? FleetupException.AUTHENTICATION_FAILED : FleetupException.TRANSPORT_FAILED, "Mirror "
                + mirror.name() + " refused the " + what + " with HTTP " + answer.status()
                + (reason.isEmpty() ? "" : ": " + reason));
    }
}
