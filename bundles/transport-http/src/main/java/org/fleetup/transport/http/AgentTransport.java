package org.fleetup.transport.http;

import java.net.http.HttpClient;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;

/**
 * Servers that run the Fleetup push agent ({@code http://host:port}, the agent's {@code --listen}): their upgrade is an
 * install order signed with the controller's key, posted to the agent and followed until it ends. Usable without
 * OSGi, like the SSH transport, for tests and tools.
 */
public final class AgentTransport implements InstallingTransport {

    private final AgentSettings settings;
    private final ControllerKey key;
    private final Planner planner;
    private final HttpClient http;

    public AgentTransport(AgentSettings settings, ControllerKey key, Planner planner) {
        this.settings = settings;
        this.key = key;
        this.planner = planner;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.requestTimeout()).build();
    }

    /** An agent runs no command for the controller: everything it does is an order. */
    @Override
    public Session connect(Server server) {
        throw new FleetupException(FleetupException.TRANSPORT_FAILED, server.name() + " (" + server.address()
                + ") is reached through its push agent, which runs no command for the controller: it can be "
                + "upgraded in a rollout, its version read with a rollout's plan, but not inspected over a session.");
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return new AgentProcedure(new AgentProcedure.Parts(settings, key.signer(), planner),
                new AgentClient(http, settings.requestTimeout(), server), rollout, server, release, force, listener,
                journal);
    }
}
