/**
 * The upgrade of one server: named steps, their events and the outcome.
 */
@Export
@Version("1.4.0")
package org.fleetup.api.upgrade;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
