/**
 * The SFTP-only transport of Fleetup: {@link org.fleetup.transport.sftp.SftpTransport} is usable without OSGi, so that
 * tools and tests can reach such servers the way the running controller does.
 */
@Export
@Version("2.0.0")
package org.fleetup.transport.sftp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
