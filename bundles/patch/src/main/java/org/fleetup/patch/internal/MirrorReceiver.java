package org.fleetup.patch.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.MirrorRegistry;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
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

/**
 * A mirror's side: what it accepts from a primary, and only from one whose key it trusts, signed, fresh and never
 * twice. A sync commits the releases whose blobs arrived (each verified by its SHA-256 as it is completed, then
 * checked by the store like any added artifact), takes the schedule, merges the agents by MAC, and answers the blobs
 * it still lacks with how much of each it holds, so that a transfer broken off resumes there. Every answer is signed
 * with the mirror's own key, bound to the request it answers. No OSGi here: the component wires it.
 */
final class MirrorReceiver {

    private static final Logger LOGGER = LoggerFactory.getLogger(MirrorReceiver.class);
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** An answer: its status and JSON body, signed for the request it answers. */
    record Reply(int status, byte[] body, String keyId, String signature) {
    }

    private final Supplier<TrustedKeys> primaries;
    private final MirrorSigning own;
    private final MirrorRegistry sequences;
    private final PullRegistry pull;
    private final PullRollouts rollouts;
    private final ReleaseStore store;
    private final AgentMerge merge;
    private final Path incoming;
    private final Duration maxSkew;
    private final Clock clock;
    private final ObjectMapper json;

    /**
     * @param primaries the primary keys trusted now (read again for every request: the operator may edit the file)
     * @param incoming where blobs are received, {@code <sha256>.part} until complete and verified
     */
    MirrorReceiver(Supplier<TrustedKeys> primaries, MirrorSigning own, MirrorRegistry sequences, PullRegistry pull,
                   PullRollouts rollouts, ReleaseStore store, AgentMerge merge, Path incoming, Duration maxSkew, Clock clock,
                   ObjectMapper json) {
        this.primaries = primaries;
        this.own = own;
        this.sequences = sequences;
        this.pull = pull;
        this.rollouts = rollouts;
        this.store = store;
        this.merge = merge;
        this.incoming = incoming;
        this.maxSkew = maxSkew;
        this.clock = clock;
        this.json = json;
    }

    /** A refusal, before any work: the status and the reason the primary is told. */
    private record Refusal(int status, String reason) {
    }

    interface Work {
        Object run() throws IOException;
    }

    /**
     * Authenticates the request, runs {@code work} when it passes, and signs the answer.
     *
     * @param resource what the request does, as signed: {@code POST sync}, {@code PUT blobs/<sha>?offset=N&size=M}
     */
    Reply handle(String resource, String keyId, String sequence, String timestamp, String signature, byte[] body,
                 Work work) {
        Optional<Refusal> refused = refusal(resource, keyId, sequence, timestamp, signature, body);
        if (refused.isPresent()) {
            LOGGER.warn("Refused the mirror request '{}' signed by {}: {}", resource, keyId,
                    refused.get().reason());
            return reply(signature, refused.get().status(), new BlobAnswer(0, false, refused.get().reason()));
        }
        try {
            Object answer = work.run();
            return reply(signature, answer instanceof Conflict conflict ? conflict.status : 200,
                    answer instanceof Conflict conflict ? conflict.answer : answer);
        } catch (IOException | UncheckedIOException e) {
            LOGGER.warn("The mirror request '{}' failed: {}", resource, e.getMessage());
            return reply(signature, 500, new BlobAnswer(0, false, "the mirror failed: " + e.getMessage()));
        } catch (FleetupException e) {
            LOGGER.warn("The mirror request '{}' failed: {}", resource, e.getMessage());
            return reply(signature, 422, new BlobAnswer(0, false, e.getMessage()));
        }
    }

    private Optional<Refusal> refusal(String resource, String keyId, String sequence, String timestamp,
                                      String signature, byte[] body) {
        TrustedKeys trusted = primaries.get();
        if (trusted.size() == 0) {
            return Optional.of(new Refusal(403, "this instance is no mirror: it trusts no primary key (set "
                    + "primaryKeys in etc/org.fleetup.mirror.cfg)"));
        }
        Optional<PublicKey> key = keyId == null ? Optional.empty() : trusted.key(keyId.strip());
        if (key.isEmpty()) {
            return Optional.of(new Refusal(403, "the key " + keyId + " is not one of this mirror's primary keys "
                    + "(primaryKeys in etc/org.fleetup.mirror.cfg)"));
        }
        long number;
        Instant at;
        try {
            number = Long.parseLong(sequence == null ? "" : sequence.strip());
            at = Instant.parse(timestamp == null ? "" : timestamp.strip());
        } catch (NumberFormatException | DateTimeParseException e) {
            return Optional.of(new Refusal(400, "no sequence or timestamp"));
        }
        if (!MirrorSigning.verify(key.get(), MirrorSigning.request(resource, keyId.strip(), number, at, body),
                signature)) {
            return Optional.of(new Refusal(401, "the signature does not match the request"));
        }
        Duration skew = Duration.between(at, clock.instant()).abs();
        if (skew.compareTo(maxSkew) > 0) {
            return Optional.of(new Refusal(401, "the request was signed at " + at + ", " + skew.toSeconds()
                    + " s from this mirror's clock (at most " + maxSkew.toSeconds() + " s): set both clocks right"));
        }
        if (!sequences.acceptSequence(keyId.strip(), number)) {
            return Optional.of(new Refusal(409, "sequence " + number + " was accepted before: a replayed request"));
        }
        return Optional.empty();
    }

    private Reply reply(String requestSignature, int status, Object answer) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String signature = own.sign(MirrorSigning.reply(requestSignature == null ? "" : requestSignature, status,
                body));
        return new Reply(status, body, own.keyId(), signature);
    }

    /** An answer with another status than 200. */
    record Conflict(int status, Object answer) {
    }

    SyncRequest syncRequest(byte[] body) throws IOException {
        return json.readValue(body, SyncRequest.class);
    }

    /** Commits what arrived, takes the schedule and the agents, answers what is missing. */
    SyncAnswer sync(SyncRequest request) throws IOException {
        List<MissingBlob> missing = new ArrayList<>();
        Set<String> committed = new HashSet<>();
        List<ReleaseEntry> releases = request.releases() == null ? List.of() : request.releases();
        for (ReleaseEntry release : releases) {
            if (!SHA256.matcher(String.valueOf(release.sha256())).matches()) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "release " + release.product() + "/"
                        + release.version() + " has no SHA-256");
            }
            Optional<Release> held = store.find(release.product(), release.version());
            if (held.isPresent()) {
                if (!held.get().sha256().equals(release.sha256())) {
                    LOGGER.warn("The primary's release {}/{} has SHA-256 {}, this mirror's {}: kept this mirror's. "
                            + "Remove one of them.", release.product(), release.version(), release.sha256(),
                            held.get().sha256());
                }
                continue;
            }
            Path blob = incoming.resolve(release.sha256() + ".blob");
            if (Files.exists(blob)) {
                try (InputStream in = Files.newInputStream(blob)) {
                    store.add(release.product(), release.version(), release.kind(), release.fileName(), in);
                    committed.add(release.sha256());
                    LOGGER.info("Release {}/{} replicated from the primary ({})", release.product(),
                            release.version(), release.sha256());
                    continue;
                } catch (FleetupException e) {
                    // A blob the store refuses is sent no better next time: dropped, logged, asked for again.
                    LOGGER.warn("The store refused the replicated release {}/{}: {}", release.product(),
                            release.version(), e.getMessage());
                    Files.deleteIfExists(blob);
                }
            }
            missing.add(new MissingBlob(release.sha256(), release.size(), size(partOf(release.sha256()))));
        }
        for (String sha : committed) {
            Files.deleteIfExists(incoming.resolve(sha + ".blob"));
        }
        for (ScheduleEntry entry : request.schedules() == null ? List.<ScheduleEntry>of() : request.schedules()) {
            take(entry.schedule());
        }
        List<PullAgentRecord> agents = (request.agents() == null ? List.<AgentEntry>of() : request.agents())
                .stream().map(AgentEntry::record).toList();
        merge.merge(pull, agents, "the primary");
        return new SyncAnswer(missing, pull.agents().stream().map(AgentEntry::of).toList(), store.list().size());
    }

    /**
     * Takes the primary's schedule as this instance's own: published here (a rollout of the mirror's agents, the
     * earlier one cancelled) once the release is in the store; until then recorded alone, so that agents are told when
     * to come back. The primary's schedule names no rollout (its rollouts are its own): the same terms with a rollout
     * of the mirror's are the same schedule, left as they are.
     */
    private void take(ScheduledRelease schedule) {
        Optional<ScheduledRelease> known = pull.scheduled(schedule.product());
        boolean same = known.filter(k -> k.withRollout(null).equals(schedule)).isPresent();
        if (same && known.get().rollout() != null) {
            return;
        }
        if (store.find(schedule.product(), schedule.version()).isPresent()) {
            rollouts.publish(schedule, "the primary");
        } else if (same) {
            return;
        } else {
            pull.schedule(schedule);
        }
        LOGGER.info("Release {}/{} scheduled at {}, as the primary has it", schedule.product(), schedule.version(),
                schedule.at());
    }

    /**
     * Appends {@code bytes} at {@code offset} to the blob {@code sha256} of {@code size} bytes; once complete, checks
     * its SHA-256 and keeps it for the next sync to commit.
     */
    Object blob(String sha256, long offset, long size, byte[] bytes) throws IOException {
        if (!SHA256.matcher(sha256).matches() || size <= 0 || offset < 0) {
            return new Conflict(400, new BlobAnswer(0, false, "a blob is named by its SHA-256, with its size and "
                    + "the offset of the bytes sent"));
        }
        Files.createDirectories(incoming);
        if (Files.exists(incoming.resolve(sha256 + ".blob"))) {
            return new BlobAnswer(size, true, "held already");
        }
        Path part = partOf(sha256);
        long have = size(part);
        if (offset != have) {
            return new Conflict(409, new BlobAnswer(have, false, "this mirror holds " + have + " bytes of it"));
        }
        if (have + bytes.length > size) {
            Files.deleteIfExists(part);
            return new Conflict(400, new BlobAnswer(0, false, "more bytes than its size " + size + ": discarded"));
        }
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            out.write(bytes);
        }
        have += bytes.length;
        if (have < size) {
            return new BlobAnswer(have, false, "");
        }
        String actual = sha256Of(part);
        if (!actual.equals(sha256)) {
            Files.deleteIfExists(part);
            LOGGER.warn("A replicated blob arrived with SHA-256 {}, not {}: discarded, asked for again", actual,
                    sha256);
            return new Conflict(422, new BlobAnswer(0, false, "it arrived with SHA-256 " + actual + ": discarded"));
        }
        Files.move(part, incoming.resolve(sha256 + ".blob"), StandardCopyOption.ATOMIC_MOVE);
        return new BlobAnswer(size, true, "verified");
    }

    private Path partOf(String sha256) {
        return incoming.resolve(sha256 + ".part");
    }

    private static long size(Path file) throws IOException {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static String sha256Of(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }
}
