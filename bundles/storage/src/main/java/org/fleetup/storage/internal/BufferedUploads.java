package org.fleetup.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.DataDirectory;
import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.release.Uploads;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads buffered in files under the data directory ({@code uploads/<id>.part}) until they are committed to the
 * store or discarded. The grants live in memory: a restarted controller has none, and drops the files left behind.
 */
@Component(service = Uploads.class, configurationPid = "org.fleetup.storage")
public final class BufferedUploads implements Uploads {

    /** The settings of etc/org.fleetup.storage.cfg this reads, each described there. */
    public @interface Config {
        long maxArtifactBytes() default 2L * 1024 * 1024 * 1024;

        long uploadExpirySeconds() default 3600;
    }

    private static final Logger LOG = LoggerFactory.getLogger(BufferedUploads.class);

    private final ReleaseStore store;
    private final Path directory;
    private final long maxBytes;
    private final Duration expiry;
    private final Clock clock;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    @Activate
    public BufferedUploads(@Reference ReleaseStore store, Config config) {
        this(store, DataDirectory.resolve("uploads"), config.maxArtifactBytes(),
                Duration.ofSeconds(config.uploadExpirySeconds()), Clock.systemUTC());
    }

    BufferedUploads(ReleaseStore store, Path directory, long maxBytes, Duration expiry, Clock clock) {
        this.store = store;
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.expiry = expiry;
        this.clock = clock;
        try {
            Files.createDirectories(directory);
            // Grants do not outlive the controller: what an earlier one left is nobody's.
            try (var left = Files.list(directory)) {
                for (Path file : (Iterable<Path>) left::iterator) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare the upload directory " + directory, e);
        }
    }

    @Override
    public Upload request(Request request) {
        dropExpired();
        ReleaseNames.requireProduct(request.product());
        ReleaseNames.requireVersion(request.version());
        String sha256 = request.sha256() == null ? "" : request.sha256().toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "'" + request.sha256() + "' is not a SHA-256:"
                    + " give the artifact's 64 hexadecimal digits (sha256sum FILE).");
        }
        if (request.size() < 1 || request.size() > maxBytes) {
            throw new FleetupException(FleetupException.UPLOAD_TOO_LARGE, "An upload of " + request.size()
                    + " bytes is refused: the store takes artifacts of 1 to " + maxBytes + " bytes (maxArtifactBytes"
                    + " in etc/org.fleetup.storage.cfg).");
        }
        store.find(request.product(), request.version()).filter(r -> !r.sha256().equals(sha256)).ifPresent(r -> {
            throw new FleetupException(FleetupException.RELEASE_CONFLICT, "Release " + r.coordinates() + " is in the"
                    + " store already with other bytes (SHA-256 " + r.sha256() + "): a version names one artifact."
                    + " Give the new one a new version.");
        });
        long free = usableSpace();
        if (free < request.size()) {
            throw new FleetupException(FleetupException.UPLOAD_NO_SPACE, "No room to buffer " + request.size()
                    + " bytes: " + free + " bytes free in " + directory + ". Free some space and ask again.");
        }
        Request normalised = new Request(request.product(), request.version(), request.kind(), request.fileName(),
                request.size(), sha256);
        Grant grant = new Grant(UUID.randomUUID().toString(), normalised, clock.instant().plus(expiry));
        try {
            Files.createFile(grant.file);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Cannot buffer an upload in " + directory
                    + ": " + e.getMessage(), e);
        }
        grants.put(grant.id, grant);
        LOG.info("Upload {} granted: {}/{}, {} bytes, until {}", grant.id, request.product(), request.version(),
                request.size(), grant.expiresAt);
        return grant.view();
    }

    @Override
    public Upload append(String id, long offset, InputStream part) {
        Grant grant = live(id);
        synchronized (grant) {
            if (offset != 0 && offset != grant.received) {
                throw new FleetupException(FleetupException.UPLOAD_RANGE, "Upload " + id + " holds " + grant.received
                        + " bytes: a part starts there (bytes " + grant.received + "-...) or at 0 to start again, not"
                        + " at " + offset + ".");
            }
            grant.write(offset, part);
            if (grant.received == grant.request.size()) {
                String actual = sha256(grant.file);
                if (!actual.equals(grant.request.sha256())) {
                    discard(id);
                    throw new FleetupException(FleetupException.UPLOAD_MISMATCH, "Upload " + id + " is discarded: its "
                            + grant.request.size() + " bytes have the SHA-256 " + actual + ", not "
                            + grant.request.sha256() + " as asked. Ask again and send the artifact whole.");
                }
                grant.complete = true;
            }
            return grant.view();
        }
    }

    @Override
    public Optional<Upload> find(String id) {
        Grant grant = grants.get(id);
        return grant == null || grant.expired() ? Optional.empty() : Optional.of(grant.view());
    }

    @Override
    public Upload require(String id) {
        return live(id).view();
    }

    @Override
    public Release commit(String id, String actor) {
        Grant grant = live(id);
        synchronized (grant) {
            if (!grant.complete) {
                throw new FleetupException(FleetupException.UPLOAD_INCOMPLETE, "Upload " + id + " holds "
                        + grant.received + " of " + grant.request.size() + " bytes: send the rest (from byte "
                        + grant.received + ") before committing it.");
            }
            Request request = grant.request;
            try (InputStream in = Files.newInputStream(grant.file)) {
                Release release = store.add(request.product(), request.version(), request.kind(), request.fileName(),
                        in);
                LOG.info("Upload {} committed by {} as {}", id, actor, release.coordinates());
                return release;
            } catch (IOException e) {
                throw new FleetupException(FleetupException.STORAGE_FAILED, "Cannot read upload " + id + ": "
                        + e.getMessage(), e);
            } finally {
                discard(id); // committed, or refused by the store: either way these bytes are done with
            }
        }
    }

    @Override
    public void discard(String id) {
        Grant grant = grants.remove(id);
        if (grant != null) {
            try {
                Files.deleteIfExists(grant.file);
            } catch (IOException e) {
                LOG.warn("Cannot delete the bytes of upload {} ({}): {}", id, grant.file, e.getMessage());
            }
        }
    }

    private Grant live(String id) {
        Grant grant = grants.get(id);
        if (grant == null) {
            throw new FleetupException(FleetupException.UPLOAD_NOT_FOUND, "No upload '" + id + "': it was never"
                    + " granted, or it was committed or discarded. Ask for a new one (POST /uploads).");
        }
        if (grant.expired()) {
            discard(id);
            throw new FleetupException(FleetupException.UPLOAD_EXPIRED, "Upload " + id + " expired at "
                    + grant.expiresAt + " and is discarded. Ask for a new one (POST /uploads).");
        }
        return grant;
    }

    private void dropExpired() {
        grants.values().stream().filter(Grant::expired).map(g -> g.id).toList().forEach(this::discard);
    }

    private long usableSpace() {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Cannot tell the free space of " + directory
                    + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Cannot read " + file + ": " + e.getMessage(),
                    e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One granted upload: its file, and how much of it is in. */
    private final class Grant {

        final String id;
        final Request request;
        final Instant expiresAt;
        final Path file;
        long received;
        boolean complete;

        Grant(String id, Request request, Instant expiresAt) {
            this.id = id;
            this.request = request;
            this.expiresAt = expiresAt;
            this.file = directory.resolve(id + ".part");
        }

        boolean expired() {
            return !clock.instant().isBefore(expiresAt);
        }

        Upload view() {
            return new Upload(id, request, received, complete, expiresAt);
        }

        /**
         * Writes a part at {@code offset}: a restart (0) drops the bytes before, a resume keeps them. A part that
         * passes the size granted is dropped whole; a part cut short (the device's link dropped) keeps what came, so
         * that the next part resumes from there.
         */
        void write(long offset, InputStream part) {
            long end = offset;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(offset);
                channel.position(offset);
                byte[] buffer = new byte[64 * 1024];
                for (int n = part.read(buffer); n >= 0; n = part.read(buffer)) {
                    if (end + n > request.size()) {
                        channel.truncate(offset);
                        end = offset;
                        throw new FleetupException(FleetupException.UPLOAD_TOO_LARGE, "Upload " + id + " was granted "
                                + request.size() + " bytes: this part passes them, and is dropped; " + offset
                                + " bytes are kept.");
                    }
                    channel.write(ByteBuffer.wrap(buffer, 0, n));
                    end += n;
                }
            } catch (IOException e) {
                throw new FleetupException(FleetupException.STORAGE_FAILED, "Upload " + id + " stopped at byte " + end
                        + ": " + e.getMessage() + ". Send the rest from there.", e);
            } finally {
                received = end;
            }
        }
    }
}
