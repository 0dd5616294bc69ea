package org.fleetup.api.inventory;

import java.time.Instant;

/** Who did what, when. */
public record AuditEntry(Instant at, String actor, String action, String detail) {
}
