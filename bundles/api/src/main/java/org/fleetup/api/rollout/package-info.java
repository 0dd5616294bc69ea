/**
 * Rollouts: a release brought to many servers, now or at a set time, with per-server state.
 */
@Export
@Version("1.12.0")
package org.fleetup.api.rollout;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
