/**
 * A simulated fleet of real SSH servers on loopback ({@link org.fleetup.simulator.SimulatedFleet}) and the demo
 * application they run ({@link org.fleetup.simulator.DemoApplication}), usable as a plain library by tests.
 */
@Export
@Version("1.2.0")
package org.fleetup.simulator;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
