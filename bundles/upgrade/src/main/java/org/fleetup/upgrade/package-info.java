/**
 * What every transport's upgrade procedure shares with the SSH one: {@link org.fleetup.upgrade.StepReporter}, which
 * tells the rollout each step of one server, logs its end and makes its outcome.
 */
@Export
@Version("1.0.0")
package org.fleetup.upgrade;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
