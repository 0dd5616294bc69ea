package org.fleetup.patch.internal;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.upgrade.StepState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the patch server answers a pull agent's check, and what it keeps of its feedback: the check is recorded in
 * the registry; a move registered for the agent sends it away (unless it reached the new address already); before
 * the product's scheduled release is published, the agent is told nothing is newer and to come back at its time;
 * after, an agent that runs an older version (and has not failed this one) is offered it as an install order signed
 * with the controller's key, sequenced above the last order it accepted, when its turn has come in the release's
 * rollout ({@link PullRollouts}: its waves and their max errors are the rollout engine's, as for every server). Its
 * feedback moves its step in that rollout. Checks are answered one at a time. No OSGi here: the component wires it.
 */
public final class PatchService {

    private static final Logger LOGGER = LoggerFactory.getLogger(PatchService.class);

    private final PullRegistry registry;
    private final PullRollouts rollouts;
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
    public PatchService(PullRegistry registry, PullRollouts rollouts, ReleaseStore store, VersionScheme versions,
                        OrderSigner signer, URI artifacts, Duration validity, Clock clock) {
        this.registry = registry;
        this.rollouts = rollouts;
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
        PullRollouts.Turn turn = rollouts.turn(release, mac);
        if (!turn.offer()) {
            LOGGER.debug("Not offering {} to {} now: {}", release.coordinates(), mac, turn.why());
            return PatchAnswer.none(turn.comeBackAt());
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
        rollouts.step(release, mac, StepState.CONNECTING, "offered at its check; the agent downloads it at its own"
                + " pace");
        return PatchAnswer.update(signer.sign(order));
    }

    /** Keeps a step a pull agent reported: {@code status} and {@code detail}, with the version it was about. */
    public void feedback(String macAddress, Map<String, Object> message) {
        String mac = mac(macAddress);
        String status = String.valueOf(message.getOrDefault("status", ""));
        String detail = String.valueOf(message.getOrDefault("detail", ""));
        Object version = message.get("version");
        LOGGER.info("Pull agent {}: {} {}{}", mac, status, version == null ? "" : version + " ", detail);
        registry.reported(mac, version == null ? null : version.toString(), status, detail, clock.instant());
        Optional<StepState> step = step(status);
        Optional<PullAgentRecord> agent = registry.agent(mac);
        if (step.isEmpty() || agent.isEmpty()) {
            return;
        }
        // About the release scheduled now, or about an earlier one still under way in its own rollout.
        Optional<ScheduledRelease> scheduled = registry.scheduled(agent.get().product());
        ScheduledRelease about = scheduled.filter(release -> version == null
                || release.version().equals(version.toString())).orElseGet(() -> new ScheduledRelease(
                        agent.get().product(), version == null ? "" : version.toString(), clock.instant()));
        rollouts.step(about, mac, step.get(), detail.isEmpty() ? status : detail);
    }

    /** The rollout step of a status the agent reports (hawkBit-like feedback); empty for one that moves none. */
    static Optional<StepState> step(String status) {
        return Optional.ofNullable(switch (status) {
            case "downloading" -> StepState.TRANSFERRING;
            case "waiting-installable" -> StepState.WAITING;
            case "installing" -> StepState.INSTALLING;
            case "health" -> StepState.CHECKING;
            case "done" -> StepState.DONE;
            case "failed", "refused" -> StepState.FAILED;
            case "rolled-back" -> StepState.ROLLED_BACK;
            default -> null;
        });
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
