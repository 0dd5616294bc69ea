package org.fleetup.transport.http.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.fleetup.agent.protocol.TlsIdentity;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.transport.http.AgentSettings;
import org.fleetup.transport.http.AgentTransport;
import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.server.ControllerKey;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push-agent transport as the service that serves {@code http://} and {@code https://} addresses, with the
 * controller's signing key and the artifact servers the agents download from: plain HTTP for the first, TLS with the
 * controller's own certificate (pinned in the signed orders) for the second. A configuration change replaces it.
 */
@Component(service = {Transport.class, ControllerKeyHolder.class}, configurationPid = AgentTransportComponent.PID,
        property = {Transport.SCHEME + "=http", Transport.SCHEME + "=https"})
@Designate(ocd = AgentTransportComponent.Config.class)
public final class AgentTransportComponent implements InstallingTransport, ControllerKeyHolder {

    static final String PID = "org.fleetup.transport.http";

    private static final Logger LOGGER = LoggerFactory.getLogger(AgentTransportComponent.class);

    @ObjectClassDefinition(name = "Fleetup push-agent transport",
            description = "How Fleetup orders the push agents of http:// servers to install, and serves them the "
                    + "artifacts")
    public @interface Config {

        @AttributeDefinition(description = "The controller's Ed25519 signing key (PEM PKCS#8), its public half beside "
                + "it as .pub; made at the first start when neither exists. Empty: fleetup-controller.key in "
                + "Karaf's etc directory")
        String keyFile() default "";

        @AttributeDefinition(description = "The address (host:port) the artifact server listens on for the agents; "
                + "port 0: any free one, enough for agents on this machine")
        String artifactListen() default "127.0.0.1:0";

        @AttributeDefinition(description = "The URL at which the agents reach the artifact server; empty: "
                + "http://<artifactListen>")
        String artifactUrl() default "";

        @AttributeDefinition(description = "The address (host:port) the TLS artifact server listens on for the "
                + "https:// agents; port 0: any free one, enough for agents on this machine")
        String artifactTlsListen() default "127.0.0.1:0";

        @AttributeDefinition(description = "The URL at which the https:// agents reach the TLS artifact server; "
                + "empty: https://<artifactTlsListen>")
        String artifactTlsUrl() default "";

        @AttributeDefinition(description = "The TLS artifact server's key and certificate (PKCS#12), its password "
                + "the first line of the file beside it with .password added; both made, self-signed, at the first "
                + "start when missing. Empty: fleetup-artifacts.p12 in Karaf's etc directory")
        String artifactTlsKeystore() default "";

        @AttributeDefinition(description = "Seconds one request to an agent may take, connecting included")
        int requestTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds a signed order stays valid: a controller restarted within it "
                + "sends the same order again, which an agent that had it refuses as a replay")
        int orderValiditySeconds() default 600;

        @AttributeDefinition(description = "Seconds an agent is given to end an order, from when it was made; past "
                + "them its server fails")
        int completionWaitSeconds() default 900;

        @AttributeDefinition(description = "Seconds between two questions to an agent about its order; no thread "
                + "waits meanwhile")
        int pollIntervalSeconds() default 2;

        @AttributeDefinition(description = "How many questions in a row an agent may leave unanswered while it "
                + "carries out an order before its server fails")
        int silentPolls() default 5;
    }

    private final ControllerKey key;
    private final ArtifactServer artifacts;
    private final ArtifactServer tlsArtifacts;
    private final AgentTransport transport;

    @Activate
    public AgentTransportComponent(@Reference ReleaseStore store, @Reference Planner planner,
                                   @Reference ServerTrust trust, Config config) {
        this.key = ControllerKey.openOrCreate(ControllerKey.file(config.keyFile()), "fleetup-controller");
        InetSocketAddress listen = ArtifactServer.listenAddress(config.artifactListen());
        try {
            this.artifacts = new ArtifactServer(store, listen, 4);
        } catch (IOException e) {
            throw new UncheckedIOException("The artifact server for the agents cannot listen on "
                    + config.artifactListen() + " (" + e.getMessage() + "): set artifactListen in etc/" + PID
                    + ".cfg to a free address.", e);
        }
        URI base = config.artifactUrl().isBlank()
                ? URI.create("http://" + artifacts.address().getHostString() + ":" + artifacts.address().getPort())
                : URI.create(config.artifactUrl().strip());
        TlsIdentity identity = tlsIdentity(config);
        this.tlsArtifacts = identity == null ? null : tlsArtifacts(store, config, identity);
        // The certificate's pin rides in the URL's fragment, which the order signs and no request sends.
        URI tlsBase = identity == null ? null : URI.create((config.artifactTlsUrl().isBlank() ? "https://"
                + tlsArtifacts.address().getHostString() + ":" + tlsArtifacts.address().getPort()
                : config.artifactTlsUrl().strip()) + "#" + identity.fingerprint());
        this.transport = new AgentTransport(new AgentSettings(base,
                Duration.ofSeconds(config.requestTimeoutSeconds()), Duration.ofSeconds(config.orderValiditySeconds()),
                Duration.ofSeconds(config.completionWaitSeconds()), Duration.ofSeconds(config.pollIntervalSeconds()),
                config.silentPolls(), tlsBase), key, planner, trust);
        LOGGER.info("Push agents are ordered with key {} and download from {}, https:// agents from {}", key.keyId(),
                base, tlsBase == null ? base : tlsBase);
    }

    /**
     * The TLS artifact server's certificate, or {@code null} when it cannot be read or made: then the https:// agents
     * download over plain HTTP (the signed SHA-256 still proves the bytes, and the agents are still pinned), and the
     * log says so, rather than every agent server failing.
     */
    private static TlsIdentity tlsIdentity(Config config) {
        Path keystore = keystore(config);
        try {
            return TlsIdentity.openOrCreate(keystore, Path.of(keystore + ".password"),
                    List.of("localhost", "127.0.0.1", ArtifactServer.listenAddress(config.artifactTlsListen()).getHostString()));
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOGGER.error("No TLS artifact server: {} The https:// agents download over plain HTTP until "
                    + "artifactTlsKeystore in etc/{}.cfg names a readable PKCS#12 keystore.", e.getMessage(), PID);
            return null;
        }
    }

    private ArtifactServer tlsArtifacts(ReleaseStore store, Config config, TlsIdentity identity) {
        try {
            return new ArtifactServer(store, ArtifactServer.listenAddress(config.artifactTlsListen()), 4, identity.context());
        } catch (IOException e) {
            artifacts.close();
            throw new UncheckedIOException("The TLS artifact server for the agents cannot listen on "
                    + config.artifactTlsListen() + " (" + e.getMessage() + "): set artifactTlsListen in etc/" + PID
                    + ".cfg to a free address.", e);
        }
    }

    private static Path keystore(Config config) {
        if (!config.artifactTlsKeystore().isBlank()) {
            return Path.of(config.artifactTlsKeystore().strip());
        }
        return Path.of(System.getProperty("karaf.etc", "etc")).resolve("fleetup-artifacts.p12");
    }

    @Override
    public Session connect(Server server) {
        return transport.connect(server);
    }

    @Override
    public Set<Capability> capabilities() {
        return transport.capabilities();
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return transport.begin(rollout, server, release, force, listener, journal);
    }

    @Override
    public Inspection inspect(Server server, String product) {
        return transport.inspect(server, product);
    }

    @Override
    public ControllerKey key() {
        return key;
    }

    @Deactivate
    void deactivate() {
        artifacts.close();
        if (tlsArtifacts != null) {
            tlsArtifacts.close();
        }
    }
}
