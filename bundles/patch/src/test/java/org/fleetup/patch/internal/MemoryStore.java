package org.fleetup.patch.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;

/** A content-addressed store in memory: the bytes by SHA-256 (the VFS one is tested in the storage). */
final class MemoryStore implements ReleaseStore {
    final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final List<Release> releases = new ArrayList<>();

    @Override
    public synchronized Release add(String product, String version, String kind, String fileName,
                                    InputStream content) {
        byte[] bytes;
        try {
            bytes = content.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String sha = MirrorSigning.sha256(bytes);
        blobs.put(sha, bytes);
        Release release = new Release(product, version, kind, sha, bytes.length, fileName, Instant.now());
        releases.add(release);
        return release;
    }

    @Override
    public synchronized Optional<Release> find(String product, String version) {
        return releases.stream().filter(r -> r.product().equals(product) && r.version().equals(version)).findFirst();
    }

    @Override
    public synchronized List<Release> list() {
        return List.copyOf(releases);
    }

    @Override
    public InputStream open(Release release) {
        return new ByteArrayInputStream(blobs.get(release.sha256()));
    }
}
