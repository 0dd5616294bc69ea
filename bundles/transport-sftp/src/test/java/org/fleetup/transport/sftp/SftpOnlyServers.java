package org.fleetup.transport.sftp;

import static org.fleetup.testing.ServerTrusts.trusted;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.testing.OpenSshServer;

/** What the tests of SFTP-only servers share: real sftp-only sshd processes, releases in files, one profile. */
final class SftpOnlyServers {

    /** The host key of every server this class made a record of, trusted for the scheme of that record. */
    static final ServerTrust TRUST = ServerTrust.inMemory();

    private SftpOnlyServers() {
    }

    static OpenSshServer start(Path directory, String name) {
        OpenSshServer.Options options = new OpenSshServer.Options().name(name).sftpOnly();
        assumeTrue(OpenSshServer.available(options), "OpenSSH's sshd is not installed");
        try {
            return OpenSshServer.start(directory.resolve(name), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Server server(OpenSshServer sshd, String scheme) {
        return trusted(TRUST, new Server(sshd.name(), null, URI.create(scheme + "://127.0.0.1:" + sshd.port()),
                LoginSettings.of(sshd.user(), sshd.clientKey().toString()), Map.of()), sshd.hostKey());
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path file) {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every product has the one profile. */
    record FixedProfiles(ProductProfile profile) implements ProductProfiles {

        @Override
        public ProductProfile profile(String product) {
            return profile;
        }

        @Override
        public ProductProfile profile(String product, Server server) {
            return profile;
        }
    }

    /** Releases whose artifacts are files of the test. */
    static final class FileStore implements ReleaseStore {

        private final Map<Release, Path> artifacts = new ConcurrentHashMap<>();

        Release add(String product, String version, String kind, Path artifact) {
            try {
                Release release = new Release(product, version, kind, sha256(artifact), Files.size(artifact),
                        artifact.getFileName().toString(), Instant.now());
                artifacts.put(release, artifact);
                return release;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Release add(String product, String version, String kind, String fileName, InputStream content) {
            throw new UnsupportedOperationException("add releases with add(product, version, kind, file)");
        }

        @Override
        public Optional<Release> find(String product, String version) {
            return artifacts.keySet().stream().filter(r -> r.product().equals(product)
                    && r.version().equals(version)).findFirst();
        }

        @Override
        public List<Release> list() {
            return List.copyOf(artifacts.keySet());
        }

        @Override
        public InputStream open(Release release) {
            Path artifact = artifacts.get(release);
            if (artifact == null) {
                throw new FleetupException(FleetupException.RELEASE_NOT_FOUND, "no " + release.coordinates());
            }
            try {
                return Files.newInputStream(artifact);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
