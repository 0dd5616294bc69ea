/**
 * What every part of Fleetup shares: the error type with its stable codes, and where data is kept by default.
 */
@Export
@Version("1.6.0")
package org.fleetup.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
