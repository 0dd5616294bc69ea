/**
 * Mirrors: other Fleetup instances that serve pull agents near them. The primary keeps them
 * ({@link org.fleetup.api.mirror.MirrorRegistry}), replicates releases and the schedule to them, merges their agent
 * records by MAC and raises an alarm where a scheduled release is overdue ({@link org.fleetup.api.mirror.Mirrors}).
 */
@Export
@Version("1.0.0")
package org.fleetup.api.mirror;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
