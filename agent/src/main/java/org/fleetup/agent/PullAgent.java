package org.fleetup.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.AgentSituation;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderVerifier;
import org.fleetup.agent.protocol.PatchAnswer;
import org.fleetup.agent.protocol.PatchCheck;
import org.fleetup.agent.protocol.Refusal;
import org.fleetup.agent.protocol.TrustedKeys;
import org.fleetup.agent.protocol.Verdict;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent in pull mode: at each next check time it calls its patch server ({@link PatchCheck}), follows a move
 * (and remembers it), waits the interval (or until a published release's time) when nothing is newer, and installs
 * a newer release the server offers as a signed install order, verified and installed exactly as a pushed one
 * ({@link OrderVerifier}, {@link OrderInstall}), each step reported back. A failed check never ends the loop: an
 * overloaded server is obeyed, an unreachable one retried with back-off.
 */
final class PullAgent {

    private static final Logger LOGGER = LoggerFactory.getLogger(PullAgent.class);

    /** Moves followed within one check; more is a loop. */
    static final int MAX_MOVES = 5;
    private static final Duration FIRST_BACK_OFF = Duration.ofSeconds(1);

    private final PullOptions options;
    private final PullState state;
    private final AgentState orders;
    private final OrderVerifier verifier;
    private final Comparator<String> versions;
    private final OrderInstall install;
    private final PatchServerClient client = new PatchServerClient();
    private int failures;

    private PullAgent(PullOptions options, TrustedKeys trusted) {
        this.options = options;
        this.state = PullState.load(options.pullState(), options.server(), options.interval());
        this.orders = AgentState.load(options.install().state());
        this.verifier = new OrderVerifier(trusted, Clock.systemUTC());
        VersionScheme scheme = new DefaultVersionSchemes().scheme(options.install().scheme());
        this.versions = (a, b) -> {
            try {
                return scheme.compare(a, b);
            } catch (FleetupException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        };
        this.install = new OrderInstall(options.install(), orders, new ObjectMapper());
        orders.listen(this::report);
    }

    /** Runs the agent until the JVM ends: finishes an install a restart cut short, then checks for ever. */
    static void run(PullOptions options, PrintStream out) throws IOException, InterruptedException {
        TrustedKeys trusted = TrustedKeys.read(options.install().trust());
        if (trusted.size() == 0) {
            throw new IllegalArgumentException("The trust file " + options.install().trust() + " holds no "
                    + "ssh-ed25519 key: this agent would install nothing. Add the controller's public key line.");
        }
        Files.createDirectories(options.install().root());
        PullAgent agent = new PullAgent(options, trusted);
        out.println("fleetup-agent pull " + options.mac() + " checking " + agent.state.server() + " every "
                + agent.state.interval() + " for " + options.install().product() + " in " + options.install().root());
        out.flush();
        for (AgentState.Order unfinished : agent.orders.unfinished()) {
            LOGGER.info("Resuming order {}, left {} by the last run", unfinished.id, unfinished.status.word());
            agent.install.run(unfinished);
        }
        while (true) {
            Duration wait = Duration.between(Instant.now(), agent.state.nextCheck());
            if (!wait.isNegative()) {
                Thread.sleep(wait.toMillis() + 1);
            }
            Instant next;
            try {
                next = agent.check();
            } catch (RuntimeException e) {
                // One failed check never ends the agent: it is logged, and the next one comes after a back-off.
                LOGGER.error("The check failed", e);
                next = agent.backOff();
            }
            agent.state.checked(next, agent.install.installed());
            LOGGER.info("Next check at {}", next);
        }
    }

    /** One check, its moves followed; when the next one is due. */
    Instant check() {
        URI from = state.server();
        URI server = from;
        List<URI> visited = new ArrayList<>(List.of(server));
        while (true) {
            PatchAnswer answer;
            try {
                answer = client.check(server, options.mac(), new PatchCheck(options.install().product(),
                        install.installed().orElse(""), options.address(), orders.lastSequence(),
                        state.interval().toSeconds()));
            } catch (PatchServerClient.ComeBackLater e) {
                failures = 0;
                LOGGER.info("The patch server {} is busy: coming back in {} s, as it asked", server,
                        e.after.toSeconds());
                return Instant.now().plus(e.after);
            } catch (IOException e) {
                LOGGER.warn("The patch server {} could not be reached: {}", server, e.getMessage());
                return backOff();
            } catch (IllegalArgumentException e) {
                refused(server, "MALFORMED", "Refused the answer of the patch server " + server + ": "
                        + e.getMessage() + ". Nothing was changed.");
                return later();
            }
            failures = 0;
            switch (answer.action()) {
                case MOVED -> {
                    URI to = answer.server().orElseThrow();
                    if (visited.contains(to) || visited.size() > MAX_MOVES) {
                        visited.add(to);
                        state.moved(from);
                        refused(server, "REDIRECT_LOOP", "Refused the move to " + to + ": the patch servers "
                                + "send the agent round in a loop (" + visited + "). Staying with " + from
                                + "; nothing was changed.");
                        return later();
                    }
                    LOGGER.info("The patch server {} moved to {}: checking there, now and from now on", server, to);
                    visited.add(to);
                    server = to;
                    state.moved(to);
                }
                case NONE -> {
                    Instant later = later();
                    Instant published = answer.nextCheck().orElse(later);
                    LOGGER.info("Nothing newer at {}{}", server, answer.nextCheck().map(at -> "; a release is "
                            + "published at " + at).orElse(""));
                    return published.isBefore(later) ? published : later;
                }
                case UPDATE -> {
                    apply(server, answer.order().orElseThrow());
                    return later();
                }
                default -> throw new IllegalStateException("unknown action " + answer.action());
            }
        }
    }

    private void apply(URI server, String signed) {
        Verdict verdict = verifier.verify(signed, new AgentSituation(options.mac(), options.install().product(),
                options.install().kind(), install.installed(), orders.lastSequence(), versions));
        if (verdict.refusal().isPresent()) {
            Refusal refusal = verdict.refusal().get();
            refused(server, refusal.reason().name(), "Refused the release offered by " + server + ": "
                    + refusal.reason() + " " + refusal.message() + " Nothing was changed.");
            return;
        }
        InstallOrder order = verdict.order().orElseThrow();
        AgentState.Order accepted = orders.accept(order.sequence(), signed);
        LOGGER.info("Installing {} {} offered by {} (order {})", order.product(), order.version(), server,
                accepted.id);
        install.run(accepted);
        LOGGER.info("Order {} ended {}: {}", accepted.id, accepted.status.word(), accepted.detail);
    }

    private void refused(URI server, String code, String message) {
        LOGGER.warn("{}", message);
        Map<String, Object> feedback = new LinkedHashMap<>();
        feedback.put("agent", options.mac());
        feedback.put("status", "refused");
        feedback.put("code", code);
        feedback.put("detail", message);
        client.feedback(PatchServerClient.feedback(server, options.mac()), feedback);
    }

    // Every step of an install goes to the patch server, hawkBit-like: downloading, installing, done or failed.
    private void report(AgentState.Order order, AgentState.Step step) {
        InstallOrder content = OrderVerifier.accepted(order.signed);
        LOGGER.info("Order {} ({} {}): {} {}", order.id, content.product(), content.version(), step.status().word(),
                step.detail());
        Map<String, Object> feedback = new LinkedHashMap<>();
        feedback.put("agent", options.mac());
        feedback.put("sequence", content.sequence());
        feedback.put("product", content.product());
        feedback.put("version", content.version());
        feedback.put("status", step.status().word());
        feedback.put("detail", step.detail());
        client.feedback(content.callback().isEmpty() ? PatchServerClient.feedback(state.server(), options.mac())
                : URI.create(content.callback()), feedback);
    }

    private Instant later() {
        Duration interval = state.interval();
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, interval.toMillis() / 10));
        return Instant.now().plus(interval).plusMillis(jitter);
    }

    Instant backOff() {
        failures = Math.min(failures + 1, 30);
        Duration delay = FIRST_BACK_OFF.multipliedBy(1L << Math.min(failures - 1, 20));
        Duration interval = state.interval();
        Duration capped = delay.compareTo(interval) > 0 ? interval : delay;
        long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, capped.toMillis() / 10));
        return Instant.now().plus(capped).plusMillis(jitter);
    }
}
