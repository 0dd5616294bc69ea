/**
 * Pull agents: servers that come to a patch server on their own schedule. The registry keyed by MAC
 * ({@link org.fleetup.api.pull.PullRegistry}), the release schedule and the moves the operator registers.
 */
@Export
@Version("1.1.0")
package org.fleetup.api.pull;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
