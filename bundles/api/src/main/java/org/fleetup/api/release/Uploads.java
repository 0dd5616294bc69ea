package org.fleetup.api.release;

import java.io.InputStream;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The updating-device handshake: a device asks to send a release (product, version, kind, size, SHA-256); the
 * controller grants it (an id, the size, an expiry) or refuses with the reason; the device streams the bytes, in as
 * many parts as its link allows, each continuing where the last stopped; the controller buffers them, checks the size
 * and the SHA-256 once all are there, and commits them to the store, or discards them. Nothing reaches the store
 * before the commit, and a refused step changes nothing.
 */
@ProviderType
public interface Uploads {

    /**
     * What a device asks to send.
     *
     * @param fileName the artifact's file name, its ending telling its format; {@code null} for
     *        {@code <product>-<version>.tar.gz}
     * @param size its exact size in bytes
     * @param sha256 its SHA-256, hexadecimal
     */
    record Request(String product, String version, String kind, String fileName, long size, String sha256) {
    }

    /**
     * A granted upload, and how far it has come.
     *
     * @param received the bytes buffered so far: where the next part starts
     * @param complete whether all {@code request.size()} bytes are there and their SHA-256 is the one asked
     * @param expiresAt when an upload not committed by then is discarded
     */
    record Upload(String id, Request request, long received, boolean complete, Instant expiresAt) {

        public Upload {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(request, "request");
        }
    }

    /**
     * Grants an upload, or refuses it: {@link FleetupException#RELEASE_INVALID} for a product, version or SHA-256 that
     * is not one, {@link FleetupException#RELEASE_CONFLICT} when the version is in the store with other bytes,
     * {@link FleetupException#UPLOAD_TOO_LARGE} above the store's largest artifact,
     * {@link FleetupException#UPLOAD_NO_SPACE} when the controller has no room to buffer it.
     */
    Upload request(Request request);

    /**
     * Buffers the next part, {@code offset} being where it starts: the bytes received so far (a resume), or 0 (a
     * restart, the bytes before dropped). When the last byte is in, checks the SHA-256: a mismatch discards the whole
     * upload.
     *
     * @throws FleetupException {@link FleetupException#UPLOAD_RANGE} for any other offset,
     *         {@link FleetupException#UPLOAD_TOO_LARGE} for a part that passes the size granted (the part is dropped),
     *         {@link FleetupException#UPLOAD_MISMATCH} for other bytes than those granted,
     *         {@link FleetupException#UPLOAD_NOT_FOUND}, {@link FleetupException#UPLOAD_EXPIRED}
     */
    Upload append(String id, long offset, InputStream part);

    Optional<Upload> find(String id);

    /**
     * @throws FleetupException {@link FleetupException#UPLOAD_NOT_FOUND}, or {@link FleetupException#UPLOAD_EXPIRED}
     *         for one that expired (and is discarded now)
     */
    Upload require(String id);

    /**
     * Adds a complete upload to the store ({@link ReleaseStore#add}, with its checks), then forgets it.
     *
     * @param actor who asked, for the audit trail
     * @throws FleetupException {@link FleetupException#UPLOAD_INCOMPLETE} before its last byte; what
     *         {@link ReleaseStore#add} throws, the upload discarded then
     */
    Release commit(String id, String actor);

    /** Drops an upload and its bytes; nothing when there is none. */
    void discard(String id);
}
