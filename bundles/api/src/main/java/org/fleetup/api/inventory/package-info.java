/**
 * The fleet as Fleetup records it: servers, their attributes and host keys, inspections, audit.
 */
@Export
@Version("1.3.0")
package org.fleetup.api.inventory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
