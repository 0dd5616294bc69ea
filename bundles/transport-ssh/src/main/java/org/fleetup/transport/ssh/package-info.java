/**
 * The SSH transport of Fleetup on Apache MINA SSHD: {@link org.fleetup.transport.ssh.SshTransport} is usable without
 * OSGi, so that tools and tests can reach servers the way the running controller does.
 */
@Export
@Version("1.2.0")
package org.fleetup.transport.ssh;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
