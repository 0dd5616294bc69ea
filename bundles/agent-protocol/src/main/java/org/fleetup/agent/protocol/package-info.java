/**
 * Install orders for push agents: what a controller signs ({@link org.fleetup.agent.protocol.InstallOrder}, its
 * canonical bytes), how it signs them ({@link org.fleetup.agent.protocol.OrderSigner}, Ed25519), which keys an agent
 * trusts ({@link org.fleetup.agent.protocol.TrustedKeys}, OpenSSH {@code ssh-ed25519} lines), and how an agent decides
 * to accept an order or refuse it with a stable reason ({@link org.fleetup.agent.protocol.OrderVerifier}); the TLS
 * both ends speak over HTTPS, a PKCS#12 identity ({@link org.fleetup.agent.protocol.TlsIdentity}) pinned by its
 * fingerprint ({@link org.fleetup.agent.protocol.TlsPin}). Pull agents check a patch server with a
 * {@link org.fleetup.agent.protocol.PatchCheck} and read its {@link org.fleetup.agent.protocol.PatchAnswer}; an offered
 * release is a signed install order like a push one. The JDK only: the same classes run in the controller's bundles
 * and in the plain-Java agent.
 */
@Export
@Version("1.1.0")
package org.fleetup.agent.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
