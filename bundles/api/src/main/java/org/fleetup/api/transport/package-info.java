/**
 * The transport SPI: how Fleetup reaches a server, chosen by the URI scheme of its address, and what it can do there
 * ({@link org.fleetup.api.transport.Capability}); a transport that cannot run the command-driven procedure
 * ({@link org.fleetup.api.transport.InstallingTransport}) carries its servers' whole upgrade.
 */
@Export
@Version("1.5.0")
package org.fleetup.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
