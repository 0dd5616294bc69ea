/**
 * Version schemes and the plan: what would change, decided per server, before anything changes.
 */
@Export
@Version("1.3.0")
package org.fleetup.api.comparison;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
