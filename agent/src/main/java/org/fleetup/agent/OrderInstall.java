package org.fleetup.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.protocol.InstallOrder;
import org.fleetup.agent.protocol.OrderVerifier;
import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.fleetup.api.rollout.ReportStatus;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.ServerOutcome;
import org.fleetup.api.upgrade.StepEvent;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.upgrade.StepReporter;
import org.fleetup.upgrade.internal.ReleaseDirectoryInstall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one accepted order with the install library the SSH path uses ({@link ReleaseDirectoryInstall}) over
 * a {@link LocalSession}: installable-state wait, the artifact fetched when it is first needed, staging, unpacking,
 * the on-server unit's switch and health check, rollback; its journal kept in the agent's state, so that a run after
 * a restart finishes the same install instead of starting another. Then the completion goes to the order's callback.
 */
final class OrderInstall {

    private static final Logger LOGGER = LoggerFactory.getLogger(OrderInstall.class);

    private static final int VERIFY_ATTEMPTS = 3;
    private static final int DOWNLOAD_ATTEMPTS = 5;
    private static final Duration FIRST_BACK_OFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACK_OFF = Duration.ofSeconds(30);
    private static final Duration CALLBACK_TIMEOUT = Duration.ofSeconds(10);

    private final AgentOptions options;
    private final AgentState state;
    private final ReleaseDirectoryInstall library;
    private final ArtifactDownload download;
    private final Path home;
    private final Path scratch;
    private final Path downloads;
    private final ObjectMapper json;

    OrderInstall(AgentOptions options, AgentState state, ObjectMapper json) {
        this.json = json;
        this.options = options;
        this.state = state;
        this.library = new ReleaseDirectoryInstall(options.commandTimeout(), VERIFY_ATTEMPTS,
                options.installableWait(), FIRST_BACK_OFF, MAX_BACK_OFF);
        this.download = new ArtifactDownload(DOWNLOAD_ATTEMPTS, options.downloadStall());
        this.home = Path.of(Optional.ofNullable(System.getenv("HOME")).orElse(System.getProperty("user.home")));
        Path stateDirectory = options.state().toAbsolutePath().getParent();
        this.scratch = stateDirectory.resolve("agent-scratch");
        this.downloads = stateDirectory.resolve("agent-downloads");
    }

    /** The version {@code current} points to, as the release directories install reads it; empty for none. */
    Optional<String> installed() {
        try {
            Path target = Files.readSymbolicLink(options.root().resolve("current"));
            return target.getNameCount() == 2 && "releases".equals(target.getName(0).toString())
                    ? Optional.of(target.getFileName().toString()) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    void run(AgentState.Order order) {
        InstallOrder content = OrderVerifier.accepted(order.signed);
        ServerOutcome outcome;
        try {
            outcome = install(order, content);
        } catch (RuntimeException e) {
            LOGGER.error("Order {} failed", order.id, e);
            outcome = new ServerOutcome(options.id(), StepState.FAILED, installed().orElse(null), null,
                    e.getMessage());
        }
        String detail = outcome.detail().startsWith(ReportStatus.NOT_INSTALLABLE_DETAIL)
                ? "cannot install: " + outcome.detail().substring(ReportStatus.NOT_INSTALLABLE_DETAIL.length())
                : outcome.detail();
        OrderStatus end = OrderStatus.of(outcome.state());
        state.step(order, end == null || !end.finished() ? OrderStatus.FAILED : end, detail);
        try {
            Files.deleteIfExists(downloads.resolve(content.sha256()));
        } catch (IOException e) {
            LOGGER.warn("Could not remove the fetched artifact of order {}", order.id, e);
        }
        if (!content.callback().isEmpty()) {
            state.note(order, order.status, complete(content, order, outcome, detail));
        }
    }

    private ServerOutcome install(AgentState.Order order, InstallOrder content) {
        Release release = new Release(content.product(), content.version(), content.kind(), content.sha256(),
                content.length(), fileName(content), Instant.now());
        Activation none = Activation.NONE;
        ProductProfile profile = new ProductProfile(content.product(), options.root().toString(),
                "cat current/VERSION", options.healthCommand(), options.scheme(), options.busyMarker(),
                new Activation(options.restartCommand(), Activation.Reboot.NEVER, none.rebootCommand(),
                        none.bootIdCommand(), options.healthUrl(), "", ""));
        StepReporter steps = new StepReporter("order-" + order.id, options.id(), event -> told(order, event));
        Journal journal = new Journal() {
            @Override
            public Map<String, String> entries() {
                return state.journal(order);
            }

            @Override
            public void record(StepState step, String detail, Map<String, String> changes) {
                state.journal(order, changes);
            }
        };
        Supplier<InputStream> artifact = () -> {
            state.note(order, OrderStatus.DOWNLOADING, "fetching " + content.url());
            Path file = download.fetch(content.url(), content.length(), content.sha256(), downloads,
                    resumed -> state.note(order, OrderStatus.DOWNLOADING, resumed));
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not read the fetched artifact "
                        + file + ": " + e.getMessage(), e);
            }
        };
        try (Session session = session()) {
            return library.install(session, this::session, profile, release, artifact, steps,
                    ReleaseDirectoryInstall.HEALTH_CHECK_ONLY, journal);
        }
    }

    private Session session() {
        return new LocalSession(options.id(), home, scratch);
    }

    private void told(AgentState.Order order, StepEvent event) {
        OrderStatus status = OrderStatus.of(event.state());
        if (status != null && !status.finished()) {
            state.step(order, status, event.detail());
        }
    }

    // The install strategy goes by the artifact's file name (a .deb, an .rpm, a .tar.gz).
    private static String fileName(InstallOrder content) {
        String path = content.url().getPath();
        String last = path == null ? "" : path.substring(path.lastIndexOf('/') + 1);
        return last.matches("[A-Za-z0-9][A-Za-z0-9._+~-]*")
                ? last : content.product() + "-" + content.version() + ".tar.gz";
    }

    /** Posts the completion to the order's callback; what happened, in words for the order's detail. */
    private String complete(InstallOrder content, AgentState.Order order, ServerOutcome outcome, String detail) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("agent", options.id());
        message.put("order", order.id);
        message.put("sequence", content.sequence());
        message.put("product", content.product());
        message.put("version", content.version());
        message.put("status", order.status.word());
        message.put("from", outcome.from());
        message.put("to", outcome.to());
        message.put("detail", detail);
        try {
            HttpResponse<Void> response = HttpClient.newBuilder().connectTimeout(CALLBACK_TIMEOUT).build()
                    .send(HttpRequest.newBuilder(URI.create(content.callback())).timeout(CALLBACK_TIMEOUT)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(message))).build(),
                            HttpResponse.BodyHandlers.discarding());
            return "completion sent to the callback (HTTP " + response.statusCode() + ")";
        } catch (IOException e) {
            LOGGER.warn("Could not send the completion of order {} to {}", order.id, content.callback(), e);
            return "the completion could not be sent to the callback: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "the completion was not sent: the agent is stopping";
        }
    }
}
