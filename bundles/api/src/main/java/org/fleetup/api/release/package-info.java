/**
 * Releases: what is distributed, where its bytes are kept, and how a product is laid out on a server.
 */
@Export
@Version("1.6.0")
package org.fleetup.api.release;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
