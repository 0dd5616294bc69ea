/**
 * The transport SPI: how Fleetup reaches a server, chosen by the URI scheme of its address; a transport whose servers
 * install by themselves ({@link org.fleetup.api.transport.InstallingTransport}) carries their whole upgrade.
 */
@Export
@Version("1.2.0")
package org.fleetup.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
