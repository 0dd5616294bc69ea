/**
 * The push-agent transport of Fleetup ({@code http://}): {@link org.fleetup.transport.http.AgentTransport} orders the
 * servers' agents to install, with the controller's key ({@link org.fleetup.agent.server.ControllerKey}), and
 * {@link org.fleetup.agent.server.ArtifactServer} serves them the artifacts; all usable without OSGi.
 */
@Export
@Version("2.0.0")
package org.fleetup.transport.http;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
