/**
 * The SSH client of Fleetup on Apache MINA SSHD, a library the {@code ssh://} and {@code sftp://} transports share, so
 * that either comes and goes without the other: {@link org.fleetup.ssh.SshTransport} is usable without OSGi, so
 * that tools and tests can reach servers the way the running controller does; its connections (host key checked, key
 * login) also carry SFTP alone ({@link org.fleetup.ssh.SftpConnection}) for the SFTP-only transport. The bundle
 * also offers OpenSSH's known_hosts to the import ({@link org.fleetup.api.transport.KnownHostsReader}): SSH and
 * SFTP servers are trusted alike.
 */
@Export
@Version("2.1.0")
package org.fleetup.ssh;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
