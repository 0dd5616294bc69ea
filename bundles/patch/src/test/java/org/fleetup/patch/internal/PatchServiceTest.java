package org.fleetup.patch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.agent.protocol.AgentSituation;
import org.fleetup.agent.protocol.OrderSigner;
import org.fleetup.agent.protocol.OrderVerifier;
import org.fleetup.agent.protocol.PatchAnswer;
import org.fleetup.agent.protocol.PatchCheck;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.agent.protocol.Verdict;
import org.fleetup.api.comparison.PlanEntry;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.fleetup.api.pull.PullRollouts;
import org.fleetup.api.pull.ScheduledRelease;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.Test;

/** What the patch server answers, on a clock the test sets; the offer verified as an agent verifies it. */
class PatchServiceTest {

    private static final String MAC = "02-00-00-00-00-01";
    private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
    private static final URI SELF = URI.create("http://127.0.0.1:8181");

    private final MemoryPullRegistry registry = new MemoryPullRegistry();
    private final TurnsGiven rollouts = new TurnsGiven();
    private final java.security.KeyPair keys = OrderSigner.generateKeys();
    private final OrderSigner signer = new OrderSigner(keys.getPrivate(), keys.getPublic());
    private Instant now = T0;

    private PatchService service() {
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new PatchService(registry, rollouts, new OneRelease(), new DefaultVersionSchemes().scheme("semantic"), signer,
                URI.create("http://127.0.0.1:9999"), Duration.ofHours(1), clock);
    }

    private static PatchCheck check(String version) {
        return new PatchCheck("demo-app", version, "10.0.0.9", 3, 1800);
    }

    @Test
    void beforeThePublishedTimeNothingIsNewerAndTheAgentIsToldWhenToComeBack() {
        registry.schedule(new ScheduledRelease("demo-app", "2.0.0", T0.plusSeconds(10)));

        PatchAnswer answer = service().check("02:00:00:00:00:01", check("1.4.2"), SELF);

        assertThat(answer).isEqualTo(PatchAnswer.none(T0.plusSeconds(10)));
        assertThat(registry.agent(MAC).orElseThrow().nextCheck()).isEqualTo(T0.plusSeconds(10));
    }

    @Test
    void atThePublishedTimeTheReleaseIsOfferedSignedAboveTheAgentsSequence() throws Exception {
        registry.schedule(new ScheduledRelease("demo-app", "2.0.0", T0.plusSeconds(10)));
        now = T0.plusSeconds(10);

        PatchAnswer answer = service().check(MAC, check("1.4.2"), SELF);

        assertThat(answer.action()).isEqualTo(PatchAnswer.Action.UPDATE);
        TrustedKeys trusted = TrustedKeys.parse(List.of(TrustedKeys.openSshLine(keys.getPublic(), "ctl")));
        Verdict verdict = new OrderVerifier(trusted, Clock.fixed(now, ZoneOffset.UTC)).verify(answer.order()
                .orElseThrow(), new AgentSituation(MAC, "demo-app", "application", Optional.of("1.4.2"), 3,
                String::compareTo));
        assertThat(verdict.refusal()).isEmpty();
        assertThat(verdict.order().orElseThrow().sequence()).isEqualTo(4);
        assertThat(verdict.order().orElseThrow().url()).hasToString("http://127.0.0.1:9999/artifacts/"
                + "a".repeat(64) + "/demo-app-2.0.0.tar.gz");
    }

    @Test
    void anAgentThatRunsTheReleaseOrFailedItIsToldNothingIsNewer() {
        registry.schedule(new ScheduledRelease("demo-app", "2.0.0", T0));
        assertThat(service().check(MAC, check("2.0.0"), SELF)).isEqualTo(PatchAnswer.none(null));

        registry.reported(MAC, "2.0.0", "rolled-back", "health check failed", T0);

        assertThat(service().check(MAC, check("1.4.2"), SELF)).isEqualTo(PatchAnswer.none(null));
    }

    @Test
    void aMovedAgentIsSentToItsNewAddressUntilItReachesIt() {
        registry.redirect(URI.create("http://localhost:8181"), List.of(MAC));

        assertThat(service().check(MAC, check("1.4.2"), SELF))
                .isEqualTo(PatchAnswer.moved(URI.create("http://localhost:8181")));
        assertThat(service().check(MAC, check("1.4.2"), URI.create("http://localhost:8181")).action())
                .isEqualTo(PatchAnswer.Action.NONE);
        assertThat(service().check("02-00-00-00-00-02", check("1.4.2"), SELF).action())
                .isEqualTo(PatchAnswer.Action.NONE);
    }

    private static String mac(int i) {
        return "02-00-00-00-00-0" + i;
    }

    @Test
    void anAgentWhoseTurnHasNotComeIsToldWhenToComeBackAndNotOffered() {
        registry.schedule(new ScheduledRelease("demo-app", "2.0.0", T0, 2, 0, "r-1"));
        rollouts.turn = new PullRollouts.Turn(false, T0.plusSeconds(2), "its wave is pending");

        assertThat(service().check(mac(3), check("1.4.2"), SELF)).isEqualTo(PatchAnswer.none(T0.plusSeconds(2)));
        assertThat(registry.agent(mac(3)).orElseThrow().offeredVersion()).isNull();
        assertThat(rollouts.steps).isEmpty();
    }

    @Test
    void anOfferAndTheAgentsFeedbackMoveItsStepInTheRollout() {
        registry.schedule(new ScheduledRelease("demo-app", "2.0.0", T0, 0, 0, "r-1"));
        PatchService service = service();

        assertThat(service.check(mac(1), check("1.4.2"), SELF).action()).isEqualTo(PatchAnswer.Action.UPDATE);
        service.feedback(mac(1), Map.of("version", "2.0.0", "status", "downloading", "detail", ""));
        service.feedback(mac(1), Map.of("version", "2.0.0", "status", "installing", "detail", ""));
        service.feedback(mac(1), Map.of("version", "2.0.0", "status", "rolled-back", "detail", "health check"));
        service.feedback(mac(1), Map.of("version", "1.9.0", "status", "done", "detail", "an offer made before"));
        service.feedback(mac(1), Map.of("version", "2.0.0", "status", "accepted", "detail", "moves no step"));

        String scheduled = mac(1) + " demo-app/2.0.0 in r-1 ";
        assertThat(rollouts.steps).containsExactly(scheduled + "CONNECTING", scheduled + "TRANSFERRING",
                scheduled + "INSTALLING", scheduled + "ROLLED_BACK", mac(1) + " demo-app/1.9.0 DONE");
    }

    private static final class OneRelease implements ReleaseStore {
        @Override
        public Release add(String product, String version, String kind, String fileName, InputStream content) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Release> find(String product, String version) {
            return Optional.of(new Release(product, version, "application", "a".repeat(64), 1234,
                    product + "-" + version + ".tar.gz", T0));
        }

        @Override
        public List<Release> list() {
            return List.of();
        }

        @Override
        public InputStream open(Release release) {
            throw new UnsupportedOperationException();
        }
    }

    /** The turn the test sets, and the steps recorded; the rollouts themselves are tested in fleetup-routes. */
    private static final class TurnsGiven implements PullRollouts {
        PullRollouts.Turn turn = new PullRollouts.Turn(true, null, "its wave is open");
        final List<String> steps = new ArrayList<>();

        @Override
        public ScheduledRelease publish(ScheduledRelease release, String actor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PullRollouts.Turn turn(ScheduledRelease release, String mac) {
            return turn;
        }

        @Override
        public void step(ScheduledRelease release, String mac, StepState step, String detail) {
            steps.add(mac + " " + release.coordinates() + (release.rollout() == null ? "" : " in " + release.rollout())
                    + " " + step);
        }

        @Override
        public List<PlanEntry> plan(Release release, boolean allowDowngrade) {
            return List.of();
        }
    }
}
