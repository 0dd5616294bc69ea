package org.fleetup.transport.http;

import java.net.URI;
import java.time.Duration;

/**
 * How the controller deals with push agents.
 *
 * @param artifactBase the URL at which the agents reach the controller's artifact server ({@code
 *        http://controller:8651}); each artifact is under {@code /artifacts/<sha256>/<file name>}
 * @param requestTimeout how long one request to an agent may take, connecting included
 * @param orderValidity how long a signed order stays valid (its {@code expires}): a controller restarted within it
 *        sends the same order again, and the agent refuses it as a replay if it had it
 * @param completionWait how long, from the order, the agent is given to end it; past it the server fails
 * @param pollInterval how long between two questions to an agent about its order, the action put aside meanwhile
 * @param silentPolls how many questions in a row an agent may leave unanswered before its server fails
 * @param artifactTlsBase the URL at which {@code https://} agents reach the artifact server over TLS, its fragment the
 *        fingerprint of the server's certificate, which they pin ({@code https://controller:8652#SHA256:...}: the
 *        order's URL is signed, fragment and all); {@code null}: they download from {@code artifactBase} too
 */
public record AgentSettings(URI artifactBase, Duration requestTimeout, Duration orderValidity,
                            Duration completionWait, Duration pollInterval, int silentPolls, URI artifactTlsBase) {

    /** Every agent downloads from {@code artifactBase}. */
    public AgentSettings(URI artifactBase, Duration requestTimeout, Duration orderValidity, Duration completionWait,
                         Duration pollInterval, int silentPolls) {
        this(artifactBase, requestTimeout, orderValidity, completionWait, pollInterval, silentPolls, null);
    }

    /** Where the agent at {@code agent} downloads from: over TLS when the controller reaches it over TLS. */
    URI artifactBase(URI agent) {
        return artifactTlsBase != null && "https".equalsIgnoreCase(agent.getScheme()) ? artifactTlsBase
                : artifactBase;
    }
}
