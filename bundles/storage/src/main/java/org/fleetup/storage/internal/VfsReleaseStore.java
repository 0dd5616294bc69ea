package org.fleetup.storage.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;

import org.apache.commons.io.FilenameUtils;
import org.apache.commons.io.IOUtils;
import org.apache.commons.vfs2.CacheStrategy;
import org.apache.commons.vfs2.FileObject;
import org.apache.commons.vfs2.FileSystemException;
import org.apache.commons.vfs2.cache.NullFilesCache;
import org.apache.commons.vfs2.impl.DefaultFileSystemManager;
import org.apache.commons.vfs2.provider.local.DefaultLocalFileProvider;
import org.fleetup.api.DataDirectory;
import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.comparison.VersionSchemes;
import org.fleetup.api.release.ArtifactFormat;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseCatalog;
import org.fleetup.api.release.ReleaseNames;
import org.fleetup.api.release.ReleaseStore;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The release store on Commons VFS. An artifact is streamed into {@code tmp/} under the root while its SHA-256 and
 * size are taken, checked to be what its file name says ({@link ArtifactFormat}: a safe gzip tar within the
 * {@link ArchiveLimits}, a Debian or RPM package, or an opaque image of a firmware, bios or os release), then moved to
 * {@code blobs/<first two hex>/<sha256>} (content-addressed: the same bytes are kept once) and only then entered in the
 * {@link ReleaseCatalog}. Every refused or failed add deletes its temporary file, so nothing half-written is ever seen
 * as a release. {@link #open} hashes the bytes as they are read and fails at the end when they no longer match; adding
 * the same bytes again repairs a blob that is missing or damaged.
 * <p>
 * The file system manager is built here with the local file provider only, rather than taken from
 * {@code VFS.getManager()}, whose provider discovery reads class-path resources and is fragile in OSGi; the other
 * providers need libraries Fleetup does not install.
 */
@Component(service = ReleaseStore.class, configurationPid = VfsReleaseStore.PID)
@Designate(ocd = VfsReleaseStore.Config.class)
public final class VfsReleaseStore implements ReleaseStore {

    static final String PID = "org.fleetup.storage";

    private static final Logger LOGGER = LoggerFactory.getLogger(VfsReleaseStore.class);

    private static final Set<String> KINDS = new TreeSet<>(Set.of("application", "bios", "firmware", "management",
            "os"));
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String TMP = "tmp";
    private static final String BLOBS = "blobs";
    private static final String PART = ".part";
    /** A temporary file this old is left over from a crash, not an upload still under way. */
    private static final Duration ABANDONED = Duration.ofDays(1);

    @ObjectClassDefinition(name = "Fleetup release store",
            description = "Where Fleetup keeps the artifacts of releases, content-addressed by SHA-256")
    public @interface Config {

        @AttributeDefinition(description = "The store's root folder, as a Commons VFS URI of a writable local "
                + "folder (file:///var/lib/fleetup/releases) or an absolute path. Blank: the folder releases under "
                + "the Karaf data directory.")
        String root() default "";

        @AttributeDefinition(description = "The largest artifact accepted, in bytes (2 GiB); a larger upload is "
                + "refused before it is stored.")
        long maxArtifactBytes() default 2L * 1024 * 1024 * 1024;

        @AttributeDefinition(description = "The most entries (files, directories, links) an archive may hold "
                + "(100000); the archive check keeps a few hundred bytes per entry.")
        long maxEntries() default 100_000;

        @AttributeDefinition(description = "The most bytes an archive may unpack to, its tar headers included "
                + "(4 GiB): what every server must find room for.")
        long maxUnpackedBytes() default 4L * 1024 * 1024 * 1024;

        @AttributeDefinition(description = "How many times its own size an archive may unpack to (100); any archive "
                + "may unpack to 1 MiB.")
        long maxCompressionRatio() default 100;
    }

    /** @param sha256 lower-case hex */
    private record Artifact(String sha256, long size) {
    }

    /** What {@link #store} found at a blob's place. */
    private enum Blob {
        /** Nothing: the blob is new. */
        ABSENT,
        /** Other bytes than its name says: replaced. */
        DAMAGED,
        /** The right bytes: kept. */
        INTACT
    }

    private final ReleaseCatalog catalog;
    private final VersionSchemes schemes;
    private final ProductProfiles profiles;
    private final long maxArtifactBytes;
    private final ArchiveLimits limits;
    private final DefaultFileSystemManager fileSystems;
    private final FileObject root;
    /** Makes "is it in the catalog, is the blob there, move, catalog" one step for concurrent adds. */
    private final ReentrantLock commitLock = new ReentrantLock();

    @Activate
    public VfsReleaseStore(@Reference ReleaseCatalog catalog, @Reference VersionSchemes schemes,
                           @Reference ProductProfiles profiles, Config config) {
        this(catalog, schemes, profiles, config.root().isBlank() ? defaultRoot() : config.root(),
                config.maxArtifactBytes(), new ArchiveLimits(config.maxEntries(), config.maxUnpackedBytes(),
                        config.maxCompressionRatio()));
    }

    VfsReleaseStore(ReleaseCatalog catalog, VersionSchemes schemes, ProductProfiles profiles, String root,
                    long maxArtifactBytes, ArchiveLimits limits) {
        if (maxArtifactBytes < 1) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "maxArtifactBytes is " + maxArtifactBytes
                    + "; set it to the largest artifact size to accept, in bytes, in etc/" + PID + ".cfg");
        }
        this.catalog = catalog;
        this.schemes = schemes;
        this.profiles = profiles;
        this.maxArtifactBytes = maxArtifactBytes;
        this.limits = limits;
        this.fileSystems = localFileSystems();
        this.root = openRoot(fileSystems, root);
        LOGGER.info("Release store at {}, artifacts up to {} bytes, archives up to {} entries, {} bytes unpacked "
                + "and a compression ratio of {}", this.root, maxArtifactBytes, limits.maxEntries(),
                limits.maxUnpackedBytes(), limits.maxCompressionRatio());
    }

    @Deactivate
    void close() {
        fileSystems.close();
    }

    @Override
    public Release add(String product, String version, String kind, String fileName, InputStream content) {
        String releaseKind = kind == null || kind.isBlank() ? Release.DEFAULT_KIND : kind;
        checkProduct(product);
        checkKind(releaseKind);
        checkVersion(product, version);
        if (content == null) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, product + "/" + version
                    + " has no artifact: give the file to add.");
        }
        String coordinates = product + "/" + version;
        // The name stays as given, its ending included: the install strategy goes by it.
        String name = fileName == null || FilenameUtils.getName(fileName).isBlank()
                ? product + "-" + version + ".tar.gz" : FilenameUtils.getName(fileName);
        ArtifactFormat format = format(name, releaseKind, coordinates);
        FileObject temporary = temporaryFile(coordinates);
        try {
            Artifact artifact = receive(content, temporary, coordinates);
            checkArtifact(temporary, artifact.size(), format, version, coordinates);
            return commit(new Release(product, version, releaseKind, artifact.sha256(), artifact.size(), name,
                    Instant.now()), temporary);
        } finally {
            deleteQuietly(temporary);
        }
    }

    @Override
    public Optional<Release> find(String product, String version) {
        return catalog.release(product, version);
    }

    @Override
    public List<Release> list() {
        return catalog.releases();
    }

    /**
     * The blob's bytes, verified against {@link Release#sha256()} as they are read: a damaged blob fails at its end.
     * Both that failure and a missing blob say how to repair it: by adding the same release again.
     */
    @Override
    public InputStream open(Release release) {
        if (!SHA256.matcher(release.sha256()).matches()) {
            throw new FleetupException(FleetupException.INVALID_INPUT, release.coordinates() + " names no SHA-256 ('"
                    + release.sha256() + "'); open a release as the store returned it.");
        }
        try {
            FileObject blob = blob(release.sha256());
            if (!blob.exists()) {
                throw new FleetupException(FleetupException.STORAGE_FAILED, "The artifact of "
                        + release.coordinates() + " (sha256 " + release.sha256() + ") is missing from the store at "
                        + root + ". " + repairHint(release));
            }
            return new VerifyingInputStream(blob.getContent().getInputStream(), release.sha256(),
                    release.coordinates(), repairHint(release));
        } catch (FileSystemException e) {
            throw storageFailed("Could not open the artifact of " + release.coordinates(), e);
        }
    }

    /** The same bytes added again restore the blob: see {@link #commit}. */
    static String repairHint(Release release) {
        return "Add the same release again to repair it: fleet:release-add --product " + release.product()
                + " --version " + release.version() + " --kind " + release.kind() + " " + release.fileName()
                + " (the file whose SHA-256 is " + release.sha256() + ").";
    }

    private static void checkProduct(String product) {
        ReleaseNames.requireProduct(product);
    }

    private static void checkKind(String kind) {
        if (!KINDS.contains(kind)) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "'" + kind + "' is not a kind of release: "
                    + "use one of " + String.join(", ", KINDS) + ".");
        }
    }

    private void checkVersion(String product, String version) {
        VersionScheme scheme = schemes.scheme(profiles.profile(product).scheme());
        if (!scheme.isValid(version)) {
            throw new FleetupException(FleetupException.VERSION_MALFORMED, "'" + version + "' is not a "
                    + scheme.name() + " version, and the profile of " + product + " says its versions are "
                    + scheme.name() + ". Add the release under a " + scheme.name() + " version.");
        }
        // A version every server can take as a directory name, refused here rather than on every server.
        ReleaseNames.requireVersion(version);
    }

    private FileObject temporaryFile(String coordinates) {
        try {
            return root.resolveFile(TMP).resolveFile(UUID.randomUUID() + PART);
        } catch (FileSystemException e) {
            throw storageFailed("Could not make room for the artifact of " + coordinates, e);
        }
    }

    private Artifact receive(InputStream content, FileObject temporary, String coordinates) {
        DigestInputStream digesting = new DigestInputStream(content, ArchiveCheck.sha256());
        long size;
        try (OutputStream out = temporary.getContent().getOutputStream()) {
            // one byte more than allowed tells a too large artifact without reading all of it
            size = IOUtils.copyLarge(digesting, out, 0, maxArtifactBytes + 1);
        } catch (IOException e) {
            throw storageFailed("Could not receive the artifact of " + coordinates, e);
        }
        if (size > maxArtifactBytes) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, coordinates + " is refused: its artifact "
                    + "is larger than the " + maxArtifactBytes + " bytes the store accepts (maxArtifactBytes in etc/"
                    + PID + ".cfg).");
        }
        return new Artifact(HexFormat.of().formatHex(digesting.getMessageDigest().digest()), size);
    }

    /** The format the file's name says, refused before a byte is read when the store takes no such file. */
    private static ArtifactFormat format(String name, String kind, String coordinates) {
        ArtifactFormat format = ArtifactFormat.of(name).orElseThrow(() -> new FleetupException(
                FleetupException.RELEASE_INVALID, coordinates + " is refused: '" + name + "' is no kind of file the "
                + "store takes. Name it by what it is: .tar.gz or .tgz (a gzip tar), .deb, .rpm, or for a firmware, "
                + "bios or os image " + String.join(", ", ArtifactFormat.IMAGE.extensions()) + "."));
        if (!format.fits(kind)) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, coordinates + " is refused: '" + name
                    + "' is an image, which only a firmware, bios or os release may be, not " + kind + ". Add it "
                    + "with --kind firmware, bios or os, or give a .tar.gz, .deb or .rpm.");
        }
        return format;
    }

    /**
     * Reads the stored bytes back and checks they are what the name said: a safe gzip tar, a Debian or RPM package;
     * an image is opaque, its SHA-256 its whole check.
     */
    private void checkArtifact(FileObject temporary, long size, ArtifactFormat format, String version,
                               String coordinates) {
        if (size == 0) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, coordinates + " is refused: the file is "
                    + "empty.");
        }
        try (InputStream in = temporary.getContent().getInputStream()) {
            switch (format) {
                case GZIP_TAR -> ArchiveCheck.verify(in, size, limits);
                case DEB -> PackageCheck.deb(in);
                case RPM -> PackageCheck.rpm(in, version);
                case IMAGE -> {
                    // Any bytes: only the profile's install script knows the image's layout.
                }
            }
        } catch (FleetupException e) {
            throw new FleetupException(e.code(), coordinates + " is refused: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not read back the artifact of "
                    + coordinates + ": " + e.getMessage(), e);
        }
    }

    private Release commit(Release release, FileObject temporary) {
        commitLock.lock();
        try {
            FileObject blob = blob(release.sha256());
            Optional<Release> existing = catalog.release(release.product(), release.version());
            if (existing.isPresent()) {
                Release same = same(existing.get(), release);
                Blob found = store(temporary, blob, release.sha256());
                if (found == Blob.INTACT) {
                    LOGGER.info("Release {} added again with the same content: the one in the store stands",
                            same.coordinates());
                } else {
                    LOGGER.warn("Release {} added again with the same content: its blob was {}, it is repaired",
                            same.coordinates(), found == Blob.ABSENT ? "missing" : "damaged");
                }
                return same;
            }
            Blob found = store(temporary, blob, release.sha256());
            try {
                catalog.addRelease(release);
            } catch (RuntimeException e) {
                // a blob that was there, damaged or not, may be another release's
                if (found == Blob.ABSENT) {
                    deleteQuietly(blob);
                }
                throw e;
            }
            LOGGER.info("Added release {} ({}, {} bytes, sha256 {})", release.coordinates(), release.kind(),
                    release.size(), release.sha256());
            return release;
        } catch (IOException e) {
            throw storageFailed("Could not commit the artifact of " + release.coordinates(), e);
        } finally {
            commitLock.unlock();
        }
    }

    /** A version is immutable: the same bytes again are the same release, other bytes are a conflict. */
    private static Release same(Release existing, Release added) {
        if (!existing.sha256().equals(added.sha256())) {
            throw new FleetupException(FleetupException.RELEASE_CONFLICT, existing.coordinates()
                    + " is in the store already with other content (sha256 " + existing.sha256() + ", this one "
                    + added.sha256() + "); a version is immutable: publish a new version.");
        }
        return existing;
    }

    /**
     * Moves the verified temporary file to its blob, unless a blob with those very bytes is there already: a blob is
     * hashed before it is trusted, so one damaged on disk (even of the right size) is replaced by the verified upload.
     */
    private static Blob store(FileObject temporary, FileObject blob, String sha256) throws IOException {
        Blob found = !blob.exists() ? Blob.ABSENT : holds(blob, sha256) ? Blob.INTACT : Blob.DAMAGED;
        if (found == Blob.INTACT) {
            return found;
        }
        if (found == Blob.DAMAGED) {
            LOGGER.warn("Blob {} does not hash to its name, so it is damaged: replaced by the verified upload", blob);
        }
        blob.getParent().createFolder();
        // rename(2), which replaces the target in one step: a reader opens the old blob or the new one, never a
        // missing or half-written one, and a crash leaves one of them whole (VFS's moveTo deletes the target first)
        Files.move(temporary.getPath(), blob.getPath(), StandardCopyOption.ATOMIC_MOVE);
        return found;
    }

    private static boolean holds(FileObject blob, String sha256) {
        DigestInputStream digesting;
        try (InputStream in = blob.getContent().getInputStream()) {
            digesting = new DigestInputStream(in, ArchiveCheck.sha256());
            IOUtils.consume(digesting);
        } catch (IOException e) {
            LOGGER.warn("Could not read blob {}: {}", blob, e.getMessage());
            return false;
        }
        return HexFormat.of().formatHex(digesting.getMessageDigest().digest()).equals(sha256);
    }

    private FileObject blob(String sha256) throws FileSystemException {
        return root.resolveFile(BLOBS).resolveFile(sha256.substring(0, 2)).resolveFile(sha256);
    }

    private static void deleteQuietly(FileObject file) {
        try {
            file.delete();
        } catch (FileSystemException e) {
            LOGGER.warn("Could not delete {}: {}", file, e.getMessage());
        } finally {
            try {
                file.close();
            } catch (FileSystemException e) {
                LOGGER.debug("Could not close {}", file, e);
            }
        }
    }

    private static DefaultFileSystemManager localFileSystems() {
        DefaultFileSystemManager manager = new DefaultFileSystemManager();
        try {
            manager.addProvider("file", new DefaultLocalFileProvider());
            // no cache: every call sees the files as they are, also after another process changed them
            manager.setFilesCache(new NullFilesCache());
            manager.setCacheStrategy(CacheStrategy.ON_CALL);
            manager.init();
            return manager;
        } catch (FileSystemException e) {
            manager.close();
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not start the release store's file "
                    + "systems: " + e.getMessage(), e);
        }
    }

    private static FileObject openRoot(DefaultFileSystemManager manager, String uri) {
        try {
            FileObject root = manager.resolveFile(uri);
            root.resolveFile(BLOBS).createFolder();
            FileObject tmp = root.resolveFile(TMP);
            tmp.createFolder();
            deleteAbandoned(tmp);
            return root;
        } catch (FileSystemException e) {
            manager.close();
            throw new FleetupException(FleetupException.STORAGE_FAILED, "Could not open the release store at '" + uri
                    + "': " + e.getMessage() + ". Set root in etc/" + PID + ".cfg to a writable folder (file:///...).",
                    e);
        }
    }

    /** Temporary files a crashed add left behind; recent ones may belong to an add under way elsewhere. */
    private static void deleteAbandoned(FileObject tmp) throws FileSystemException {
        long cutoff = Instant.now().minus(ABANDONED).toEpochMilli();
        for (FileObject file : tmp.getChildren()) {
            if (file.getName().getBaseName().endsWith(PART) && file.getContent().getLastModifiedTime() < cutoff) {
                LOGGER.info("Deleting {}, left over from an add that did not finish", file);
                deleteQuietly(file);
            }
        }
    }

    private FleetupException storageFailed(String what, Exception e) {
        return new FleetupException(FleetupException.STORAGE_FAILED, what + " in the store at " + root + ": "
                + e.getMessage() + ". Check that the store's root is reachable, writable and has space.", e);
    }

    /** {@code file:} URI of {@code releases} under the Karaf data directory, or under the temporary directory. */
    static String defaultRoot() {
        return DataDirectory.resolve("releases").toUri().toString();
    }
}
