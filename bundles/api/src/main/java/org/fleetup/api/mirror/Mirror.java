package org.fleetup.api.mirror;

import java.net.URI;
import java.time.Instant;

/**
 * A mirror as the primary knows it.
 *
 * @param name the operator's name for it
 * @param url its base URL, {@code http://host:8181}, under which its mirror API lies
 * @param publicKey its controller key, one OpenSSH line, pinned when it was added: every answer it gives is checked
 *        against it
 * @param addedAt when it was added
 * @param lastSync when it last synchronised; {@code null} for never
 * @param state {@link #NEW}, {@link #IN_SYNC}, {@link #SYNCING} or {@link #DOWN}
 * @param detail why it is down (the last failure), or what the last sync did
 * @param failures the failed syncs since the last that succeeded
 * @param missing the releases it did not hold at its last sync (its lag)
 */
public record Mirror(String name, URI url, String publicKey, Instant addedAt, Instant lastSync, String state,
                     String detail, int failures, int missing) {

    public static final String NEW = "new";
    public static final String IN_SYNC = "in-sync";
    public static final String SYNCING = "syncing";
    public static final String DOWN = "down";
}
