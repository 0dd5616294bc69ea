package org.fleetup.routes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.fleetup.agent.protocol.TlsIdentity;
import org.fleetup.agent.server.ArtifactServer;
import org.fleetup.agent.server.ControllerKey;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.RolloutServer;
import org.fleetup.api.rollout.RolloutStatus;
import org.fleetup.api.upgrade.StepState;
import org.fleetup.simulator.DemoApplication;
import org.fleetup.transport.http.AgentTransport;
import org.fleetup.agent.server.ArtifactServer;
import org.junit.jupiter.api.Test;

/**
 * {@code https://} agent servers: real {@code fleetup-agent.jar push --tls-keystore} processes on 127.0.0.1 with
 * keytool-made certificates, the controller pinning each by the fingerprint recorded as the server's host key, and
 * serving the artifacts over TLS to them; judged from the application roots' own files and the agents' logs.
 */
class HttpsAgentRolloutTest extends AgentRolloutFixture {

    private static final char[] PASSWORD = "test-only-password".toCharArray();

    private ArtifactServer tlsArtifacts;

    @Override
    void transports() throws Exception {
        TlsIdentity controllerTls = TlsIdentity.generate(dir.resolve("etc").resolve("fleetup-artifacts.p12"),
                PASSWORD, List.of("127.0.0.1"), 30);
        tlsArtifacts = closedAtEnd(new ArtifactServer(controller.store, new InetSocketAddress("127.0.0.1", 0), 2,
                controllerTls.context()));
        transport(controllerTls.fingerprint());
    }

    /** The transport, its orders pinning {@code artifactPin} as the TLS artifact server's certificate. */
    private void transport(String artifactPin) {
        AgentTransport transport = new AgentTransport(settings(COMPLETION, URI.create("https://127.0.0.1:"
                + tlsArtifacts.address().getPort() + "#" + artifactPin)), key, controller.planner, controller.inventory);
        controller.transportsByScheme.put("http", transport);
        controller.transportsByScheme.put("https", transport);
    }

    /** An agent serving HTTPS with a certificate of its own; the certificate's fingerprint is returned. */
    private String httpsAgent(String name, PushAgentProcess[] agent) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("tls.password"), new String(PASSWORD) + "\n");
        TlsIdentity identity = TlsIdentity.generate(home.resolve("agent.p12"), PASSWORD, List.of("127.0.0.1"), 30);
        agent[0] = agent(name, "--tls-keystore", home.resolve("agent.p12").toString(),
                "--tls-password-file", home.resolve("tls.password").toString());
        return identity.fingerprint();
    }

    @Test
    void aPinnedHttpsAgentIsUpgradedOverTlsBesideAPlainHttpOne() throws Exception {
        PushAgentProcess[] secure = new PushAgentProcess[1];
        String fingerprint = httpsAgent("agent-1", secure);
        PushAgentProcess plain = agent("agent-2");
        assertThat(secure[0].address().getScheme()).isEqualTo("https");
        inventory("agent-1", secure[0].address(), fingerprint);
        inventory("agent-2", plain.address(), null);

        Rollout ended = rollout(List.of("agent-1", "agent-2"));

        assertThat(ended.status()).isEqualTo(RolloutStatus.FINISHED);
        assertThat(routing.servers(ended.id())).extracting(RolloutServer::server, RolloutServer::state,
                RolloutServer::from, RolloutServer::to)
                .containsExactly(tuple("agent-1", StepState.DONE, "1.4.2", "2.0.0"),
                        tuple("agent-2", StepState.DONE, "1.4.2", "2.0.0"));
        for (PushAgentProcess agent : List.of(secure[0], plain)) {
            assertThat(current(agent.root())).isEqualTo("releases/2.0.0");
            assertThat(agent.restarts()).as("activated once").containsExactly("2.0.0");
        }
        assertThat(secure[0].log()).as("the https agent downloads over TLS, the controller's certificate pinned")
                .contains("from https://127.0.0.1:" + tlsArtifacts.address().getPort() + "/artifacts/")
                .contains("#SHA256:");
        assertThat(plain.log()).contains("from http://127.0.0.1:" + artifacts.address().getPort() + "/artifacts/");
    }

    @Test
    void anHttpsAgentWhoseCertificateIsNotThePinnedOneIsRefusedAndNothingIsInstalled() throws Exception {
        PushAgentProcess[] impostor = new PushAgentProcess[1];
        String presented = httpsAgent("agent-1", impostor);
        String trusted = TlsIdentity.generate(dir.resolve("genuine.p12"), PASSWORD, List.of("127.0.0.1"), 30)
                .fingerprint();
        inventory("agent-1", impostor[0].address(), trusted);

        Rollout ended = rollout(List.of("agent-1"));

        assertThat(routing.servers(ended.id())).extracting(RolloutServer::state).containsExactly(StepState.FAILED);
        assertThat(routing.servers(ended.id()).get(0).detail()).contains("has CHANGED", "expected " + trusted,
                "presented " + presented, "Nothing was sent", "fleet:server-trust agent-1 " + presented);
        assertThat(impostor[0].log()).as("no order reached the agent").doesNotContain("Accepted order", "Refused");
        assertThat(current(impostor[0].root())).isEqualTo("releases/1.4.2");
        assertThat(impostor[0].restarts()).isEmpty();
    }

    @Test
    void anAgentDownloadsNothingFromAnArtifactServerWhoseCertificateIsNotTheOneTheOrderPins() throws Exception {
        transport(TlsIdentity.generate(dir.resolve("other.p12"), PASSWORD, List.of("127.0.0.1"), 30).fingerprint());
        PushAgentProcess[] agent = new PushAgentProcess[1];
        String fingerprint = httpsAgent("agent-1", agent);
        inventory("agent-1", agent[0].address(), fingerprint);

        Rollout ended = rollout(List.of("agent-1"));

        assertThat(routing.servers(ended.id())).extracting(RolloutServer::state).containsExactly(StepState.FAILED);
        assertThat(routing.servers(ended.id()).get(0).detail()).contains("The agent failed order 1",
                "Could not fetch https://127.0.0.1:" + tlsArtifacts.address().getPort());
        assertThat(current(agent[0].root())).isEqualTo("releases/1.4.2");
        assertThat(agent[0].restarts()).isEmpty();
    }

    @Test
    void anHttpsAgentWithNoTrustedCertificateIsRefusedWithItsFingerprintUntilTheOperatorTrustsIt() throws Exception {
        PushAgentProcess[] agent = new PushAgentProcess[1];
        String fingerprint = httpsAgent("agent-1", agent);
        inventory("agent-1", agent[0].address(), null);

        Inspection unknown = routing.inspect(controller.inventory.servers(null), DemoApplication.PRODUCT, 1).get(0);
        Rollout refused = rollout(List.of("agent-1"));

        assertThat(unknown.status()).isEqualTo(Inspection.Status.FAILED);
        assertThat(unknown.detail()).contains("Unknown certificate", fingerprint,
                "fleet:server-trust agent-1 " + fingerprint);
        assertThat(routing.servers(refused.id())).extracting(RolloutServer::state).containsExactly(StepState.FAILED);
        assertThat(routing.servers(refused.id()).get(0).detail()).contains("Unknown certificate", fingerprint);
        assertThat(current(agent[0].root())).isEqualTo("releases/1.4.2");

        // What fleet:server-trust does with the fingerprint the message gave.
        controller.inventory.trust(controller.inventory.requireServer("agent-1"), fingerprint);
        Rollout ended = rollout(List.of("agent-1"));

        assertThat(routing.servers(ended.id())).extracting(RolloutServer::state).containsExactly(StepState.DONE);
        assertThat(current(agent[0].root())).isEqualTo("releases/2.0.0");
    }
}
