/**
 * The transport SPI: how Fleetup reaches a server, chosen by the URI scheme of its address.
 */
@Export
@Version("1.0.0")
package org.fleetup.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
