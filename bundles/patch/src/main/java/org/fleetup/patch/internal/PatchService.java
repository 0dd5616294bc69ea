package org.fleetup.patch.internal;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.PatchAnswer;
import org.fleetup.agent.protocol.PatchCheck;
import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the patch server answers a pull agent's check, and what it keeps of its feedback: the check is recorded in
 * the registry; a move registered for the agent sends it away (unless it reached the new address already); before
 * the product's scheduled release is published, the agent is told nothing is newer and to come back at its time;
 * after, an agent that runs an older version (and has not failed this one) is offered it as an install order signed
 * with the controller's key, sequenced above the last order it accepted. A release scheduled in waves is offered to
 * {@code waveSize} agents at a time, the next ones only once those ended; once {@code maxErrors} of them failed, it is
 * offered to no one more. Checks are answered one at a time, so that two agents never both take a wave's last
 * place. No OSGi here: the component wires it.
 */
public final class PatchService {

    private static final Logger LOGGER = LoggerFactory.getLogger(PatchService.class);

    private final PullRegistry registry;
    private final ReleaseStore store;
    private final VersionScheme versions;
    private final OrderSigner signer;
    private final URI artifacts;
    private final Duration validity;
    private final Clock clock;

    /**
     * @param artifacts the base URL of the artifact server the agents download from
     * @param validity how long an offered order may wait before the agent starts it
     */
    public PatchService(PullRegistry registry, ReleaseStore store, VersionScheme versions, OrderSigner signer,
                        URI artifacts, Duration validity, Clock clock) {
        this.registry = registry;
        this.store = store;
        this.versions = versions;
        this.signer = signer;
        this.artifacts = artifacts;
        this.validity = validity;
        this.clock = clock;
    }

    /**
     * @param self the patch server's base URL as the agent reached it ({@code http://host:port})
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} for a MAC that is none
     */
    public synchronized PatchAnswer check(String macAddress, PatchCheck check, URI self) {
        String mac = mac(macAddress);
        Instant now = clock.instant();
        Optional<URI> moved = registry.redirect(mac).filter(to -> !same(to, self));
        Optional<ScheduledRelease> scheduled = registry.scheduled(check.product());
        // The check is recorded first: an offer made in answer to it is recorded on the agent's row.
        Instant next = check.interval() > 0 ? now.plusSeconds(check.interval()) : null;
        Optional<Instant> published = scheduled.map(ScheduledRelease::at).filter(now::isBefore);
        if (moved.isEmpty() && published.isPresent() && (next == null || published.get().isBefore(next))) {
            next = published.get();
        }
        registry.checked(new PullAgentRecord(mac, check.address(), check.product(), check.version(), now, next,
                self.toString()));
        Optional<PullAgentRecord> known = registry.agent(mac);
        PatchAnswer answer = moved.map(PatchAnswer::moved).orElseGet(() -> offer(mac, check, scheduled, known, now));
        return answer;
    }

    private PatchAnswer offer(String mac, PatchCheck check, Optional<ScheduledRelease> scheduled,
                              Optional<PullAgentRecord> known, Instant now) {
        if (scheduled.isEmpty()) {
            return PatchAnswer.none(null);
        }
        ScheduledRelease release = scheduled.get();
        if (now.isBefore(release.at())) {
            return PatchAnswer.none(release.at());
        }
        if (!check.version().isEmpty() && versions.compare(release.version(), check.version()) <= 0) {
            return PatchAnswer.none(null);
        }
        if (known.map(PullAgentRecord::failedVersion).filter(release.version()::equals).isPresent()) {
            // It failed there and was rolled back: offering it again would fail again; a newer release is offered.
            return PatchAnswer.none(null);
        }
        Optional<String> held = held(mac, release, known);
        if (held.isPresent()) {
            LOGGER.debug("Not offering {}/{} to {}: {}", release.product(), release.version(), mac, held.get());
            return PatchAnswer.none(null);
        }
        Optional<Release> stored = store.find(release.product(), release.version());
        if (stored.isEmpty()) {
            LOGGER.warn("The scheduled release {}/{} is not in the store: agents are told nothing is newer. Add it "
                    + "with fleet:release-add.", release.product(), release.version());
            return PatchAnswer.none(null);
        }
        Release artifact = stored.get();
        InstallOrder order = new InstallOrder(mac, check.sequence() + 1, now.plus(validity), artifact.product(),
                artifact.kind(), artifact.version(), false, ArtifactServer.url(artifacts, artifact), artifact.size(),
                artifact.sha256(), signer.keyId(), "");
        LOGGER.info("Offering {} to pull agent {} (runs {})", artifact.coordinates(), mac,
                check.version().isEmpty() ? "nothing" : check.version());
        registry.offered(mac, artifact.version());
        return PatchAnswer.update(signer.sign(order));
    }

    /**
     * Why the release is not offered to {@code mac} now, when it is held back: its failures reached the threshold,
     * or its current wave is full and not ended. An agent it was offered to already is offered it again (it may have
     * lost the order), unless the threshold was reached.
     */
    private Optional<String> held(String mac, ScheduledRelease release, Optional<PullAgentRecord> known) {
        if (release.waveSize() <= 0 && release.maxErrors() <= 0) {
            return Optional.empty();
        }
        String version = release.version();
        List<PullAgentRecord> offered = registry.agents().stream()
                .filter(agent -> agent.product().equals(release.product()) && version.equals(agent.offeredVersion()))
                .toList();
        long failed = offered.stream().filter(agent -> version.equals(agent.failedVersion())).count();
        if (release.maxErrors() > 0 && failed >= release.maxErrors()) {
            return Optional.of(failed + " agents failed it, the threshold is " + release.maxErrors()
                    + ": the offer stopped");
        }
        boolean again = known.map(PullAgentRecord::offeredVersion).filter(version::equals).isPresent();
        long ended = offered.stream().filter(agent -> version.equals(agent.version())
                || version.equals(agent.failedVersion())).count();
        if (!again && release.waveSize() > 0 && offered.size() % release.waveSize() == 0 && ended < offered.size()) {
            return Optional.of("wave " + (offered.size() / release.waveSize()) + " has not ended ("
                    + (offered.size() - ended) + " agents still installing)");
        }
        return Optional.empty();
    }

    /** Keeps a step a pull agent reported: {@code status} and {@code detail}, with the version it was about. */
    public void feedback(String macAddress, Map<String, Object> message) {
        String mac = mac(macAddress);
        String status = String.valueOf(message.getOrDefault("status", ""));
        String detail = String.valueOf(message.getOrDefault("detail", ""));
        Object version = message.get("version");
        LOGGER.info("Pull agent {}: {} {}{}", mac, status, version == null ? "" : version + " ", detail);
        registry.reported(mac, version == null ? null : version.toString(), status, detail, clock.instant());
    }

    static String mac(String mac) {
        try {
            return PatchCheck.mac(mac);
        } catch (IllegalArgumentException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT, e.getMessage() + ". An agent is known by its "
                    + "MAC address.");
        }
    }

    // The agent reached the address it is moved to: no move (scheme, host and port decide; a trailing slash not).
    private static boolean same(URI to, URI self) {
        return to.getScheme().equalsIgnoreCase(self.getScheme()) && to.getHost().equalsIgnoreCase(self.getHost())
                && port(to) == port(self);
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
