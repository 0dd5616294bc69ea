package org.fleetup.transport.http;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fleetup.agent.server.ControllerKey;
import org.fleetup.agent.protocol.TlsPin;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;

/**
 * Servers that run the Fleetup push agent ({@code http://host:port}, the agent's {@code --listen}; {@code https://} when
 * it serves TLS): their upgrade is an install order signed with the controller's key, posted to the agent and followed
 * until it ends. An {@code https://} agent is known by its certificate, pinned by its SHA-256 fingerprint trusted of
 * the server as SSH host keys are ({@link ServerTrust}): any other certificate, or any at all when none was trusted,
 * is refused before a byte is sent ({@link FleetupException#HOST_KEY_CHANGED}, {@link
 * FleetupException#HOST_KEY_UNKNOWN}, with the fingerprint presented). Usable without OSGi, like the SSH transport.
 */
public final class AgentTransport implements InstallingTransport {

    private final AgentSettings settings;
    private final ServerTrust trust;
    private final ControllerKey key;
    private final Planner planner;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    // One client per pinned certificate: its TLS sessions and pooled connections never serve another pin.
    private final Map<String, HttpClient> pinned = new ConcurrentHashMap<>();

    /** @param trust the certificate fingerprint trusted of each {@code https://} agent */
    public AgentTransport(AgentSettings settings, ControllerKey key, Planner planner, ServerTrust trust) {
        this.settings = settings;
        this.trust = Objects.requireNonNull(trust, "trust");
        this.key = key;
        this.planner = planner;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout()).build();
    }

    /** An agent runs no command for the controller: everything it does is an order. */
    @Override
    public Session connect(Server server) {
        throw new FleetupException(FleetupException.TRANSPORT_FAILED, server.name() + " (" + server.address()
                + ") is reached through its push agent, which runs no command for the controller: it is inspected and "
                + "upgraded through the agent's own API, never over a session.");
    }

    /** Orders only: the agent does on the server whatever the install needs. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ORDERS);
    }

    @Override
    public Inspection inspect(Server server, String product) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        try {
            AgentClient.Status status = client(server).status();
            return inspection(server, product, status, at, Duration.ofNanos(System.nanoTime() - start));
        } catch (FleetupException e) {
            return new Inspection(server.name(), product, FleetupException.hasCode(e,
                    FleetupException.SERVER_UNREACHABLE) ? Inspection.Status.UNREACHABLE : Inspection.Status.FAILED,
                    null, e.getMessage(), at, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** What an agent's status says of {@code product}, as an inspection reads it. */
    static Inspection inspection(Server server, String product, AgentClient.Status status, Instant at,
                                 Duration took) {
        if (!product.equals(status.product())) {
            return new Inspection(server.name(), product, Inspection.Status.FAILED, null, "the agent at "
                    + server.address() + " installs " + status.product() + ", not " + product, at, took);
        }
        return status.version() == null
                ? new Inspection(server.name(), product, Inspection.Status.NOT_INSTALLED, null,
                        "the agent reports no release installed", at, took)
                : new Inspection(server.name(), product, Inspection.Status.OK, status.version(), null, at, took);
    }

    private AgentClient client(Server server) {
        return new AgentClient(http(server), json, settings.requestTimeout(), server);
    }

    /**
     * The client for {@code server}: over TLS ({@code https://}), one that trusts only the certificate whose
     * fingerprint is trusted of the server ({@link ServerTrust}), and none when none is: never on first use.
     */
    private HttpClient http(Server server) {
        if (!"https".equalsIgnoreCase(server.address().getScheme())) {
            return http;
        }
        String pin = trust.trusted(server).map(String::strip).orElse("");
        return pinned.computeIfAbsent(pin, fingerprint -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.requestTimeout())
                .sslContext(TlsPin.context(fingerprint)).build());
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return new AgentProcedure(new AgentProcedure.Parts(settings, key.signer(), planner),
                client(server), rollout, server, release, force, listener,
                journal);
    }
}
