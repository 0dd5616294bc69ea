package org.fleetup.rest.internal;

import java.io.InputStream;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.ws.rs.core.Response;
import javax.ws.rs.core.SecurityContext;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.Uploads;
import org.fleetup.api.release.Uploads.Upload;

/** {@link UploadsApi} over the uploads of the store. */
public final class UploadsResource implements UploadsApi {

    /** {@code bytes START-END/TOTAL}, as RFC 9110 writes a range of a PUT's content. */
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

    private final Uploads uploads;

    UploadsResource(Uploads uploads) {
        this.uploads = uploads;
    }

    @Override
    public Response request(Uploads.Request request) {
        if (request == null) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "The body must be a JSON object: {\"product\","
                    + " \"version\", \"kind\", \"fileName\", \"size\", \"sha256\"}.");
        }
        Upload granted = uploads.request(request);
        return Response.created(URI.create("uploads/" + granted.id())).entity(granted).build();
    }

    @Override
    public Upload get(String id) {
        return uploads.require(id);
    }

    @Override
    public Upload put(String id, String range, InputStream bytes) {
        long offset = 0;
        if (range != null) {
            Matcher matcher = CONTENT_RANGE.matcher(range.strip());
            long size = uploads.require(id).request().size();
            if (!matcher.matches() || Long.parseLong(matcher.group(3)) != size
                    || Long.parseLong(matcher.group(2)) < Long.parseLong(matcher.group(1))) {
                throw new FleetupException(FleetupException.UPLOAD_RANGE, "'Content-Range: " + range + "' is not"
                        + " 'bytes START-END/" + size + "' (the size granted). Nothing changed.");
            }
            offset = Long.parseLong(matcher.group(1));
        }
        return uploads.append(id, offset, bytes);
    }

    @Override
    public Response commit(String id, SecurityContext caller) {
        Release release = uploads.commit(id, caller.getUserPrincipal().getName());
        return Response.status(Response.Status.CREATED).entity(release).build();
    }

    @Override
    public Response discard(String id) {
        uploads.require(id);
        uploads.discard(id);
        return Response.noContent().build();
    }
}
