/**
 * Reading the version a server runs.
 */
@Export
@Version("1.2.0")
package org.fleetup.api.inspection;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
