package org.fleetup.api;

import java.util.Objects;

/**
 * A failure with a stable code ({@code fleetup.server.notFound}) for programs and a message for people.
 * The shell prints the message; the REST layer maps the code to a status.
 */
public class FleetupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public static final String SERVER_NOT_FOUND = "fleetup.server.notFound";
    public static final String SERVER_INVALID = "fleetup.server.invalid";
    public static final String SERVER_UNREACHABLE = "fleetup.server.unreachable";
    public static final String HOST_KEY_UNKNOWN = "fleetup.hostKey.unknown";
    public static final String HOST_KEY_CHANGED = "fleetup.hostKey.changed";
    public static final String AUTHENTICATION_FAILED = "fleetup.server.authenticationFailed";
    public static final String TRANSPORT_MISSING = "fleetup.transport.missing";
    public static final String TRANSPORT_FAILED = "fleetup.transport.failed";
    /**
     * A server's transport cannot do what the release's install needs (a command on a server reached over
     * {@code sftp://}): the plan refuses it before anything changes.
     */
    public static final String TRANSPORT_INCAPABLE = "fleetup.transport.incapable";
    public static final String COMMAND_TIMEOUT = "fleetup.command.timeout";
    public static final String RELEASE_NOT_FOUND = "fleetup.release.notFound";
    public static final String RELEASE_INVALID = "fleetup.release.invalid";
    public static final String RELEASE_CONFLICT = "fleetup.release.conflict";
    public static final String VERSION_MALFORMED = "fleetup.version.malformed";
    public static final String SCHEME_UNKNOWN = "fleetup.version.schemeUnknown";
    public static final String ROLLOUT_NOT_FOUND = "fleetup.rollout.notFound";
    public static final String ROLLOUT_FAILED = "fleetup.rollout.failed";
    /** A server asked for is held by another rollout that has not ended. */
    public static final String ROLLOUT_STATE = "fleetup.rollout.state";
    public static final String LEASE_LOST = "fleetup.action.leaseLost";
    public static final String ROLLOUT_CONFLICT = "fleetup.rollout.conflict";
    /** A rollout has ended already, and cannot be changed. */
    public static final String ROLLOUT_ENDED = "fleetup.rollout.ended";
    /** A rollout was cancelled before every server was upgraded. */
    public static final String ROLLOUT_CANCELLED = "fleetup.rollout.cancelled";
    public static final String TIME_INVALID = "fleetup.time.invalid";
    public static final String STORAGE_FAILED = "fleetup.storage.failed";
    public static final String INVENTORY_FAILED = "fleetup.inventory.failed";
    public static final String INVALID_INPUT = "fleetup.input.invalid";
    /** No upload of that id: never granted, committed, or discarded. */
    public static final String UPLOAD_NOT_FOUND = "fleetup.upload.notFound";
    /** An upload not committed before its expiry, discarded. */
    public static final String UPLOAD_EXPIRED = "fleetup.upload.expired";
    /** An upload larger than the store takes, or a part that passes the size granted. */
    public static final String UPLOAD_TOO_LARGE = "fleetup.upload.tooLarge";
    /** No room on the controller to buffer an upload. */
    public static final String UPLOAD_NO_SPACE = "fleetup.upload.noSpace";
    /** A part that does not start where the bytes received so far end (nor at 0). */
    public static final String UPLOAD_RANGE = "fleetup.upload.range";
    /** The bytes received are not those granted: their SHA-256 differs. */
    public static final String UPLOAD_MISMATCH = "fleetup.upload.mismatch";
    /** An upload committed before all its bytes are in. */
    public static final String UPLOAD_INCOMPLETE = "fleetup.upload.incomplete";
    /** A request to the REST API came with no credentials, or with wrong ones. */
    public static final String UNAUTHENTICATED = "fleetup.auth.unauthenticated";
    /** A user may not do what was asked: a viewer asking for a change. */
    public static final String FORBIDDEN = "fleetup.auth.forbidden";

    private final String code;

    public FleetupException(String code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public FleetupException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** The stable code, such as {@code fleetup.release.notFound}. */
    public String code() {
        return code;
    }

    /** Whether {@code e} is a Fleetup error with {@code code}: what a caller that handles one kind asks. */
    public static boolean hasCode(Throwable e, String code) {
        return e instanceof FleetupException f && f.code.equals(code);
    }
}
