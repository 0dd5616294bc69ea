/**
 * A simulated fleet of real SSH servers on loopback, for the demo and the tests.
 */
@Export
@Version("1.3.0")
package org.fleetup.api.simulator;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
