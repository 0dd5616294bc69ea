/**
 * The SSH transport of Fleetup on Apache MINA SSHD: {@link org.fleetup.transport.ssh.SshTransport} is usable without
 * OSGi, so that tools and tests can reach servers the way the running controller does; its connections (host key
 * checked, key login) also carry SFTP alone ({@link org.fleetup.transport.ssh.SftpConnection}) for the SFTP-only
 * transport.
 */
@Export
@Version("1.3.0")
package org.fleetup.transport.ssh;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
