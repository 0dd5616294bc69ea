/**
 * What the controller serves its agents, push and pull alike: its signing key
 * ({@link org.fleetup.agent.server.ControllerKey}, Ed25519, the agents' trust) and the artifacts
 * ({@link org.fleetup.agent.server.ArtifactServer}, exact length and {@code Range}). A bundle of its own so that the
 * push transport and the patch server each come and go without the other; usable without OSGi.
 */
@Export
@Version("1.0.0")
package org.fleetup.agent.server;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
