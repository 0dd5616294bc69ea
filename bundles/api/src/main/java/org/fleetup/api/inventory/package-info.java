/**
 * The fleet as Fleetup records it: servers and their attributes, what is trusted of each (host keys, certificate
 * pins), inspections, audit.
 */
@Export
@Version("2.0.0")
package org.fleetup.api.inventory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
