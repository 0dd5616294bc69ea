package org.fleetup.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.tar.TarConstants;
import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseCatalog;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class VfsReleaseStoreTest {

    private static final String PRODUCT = "demo-app";
    private static final long MAX_BYTES = 64 * 1024;
    /** As etc/org.fleetup.storage.cfg sets them. */
    private static final String REPAIR_HINT = "Add the same release again to repair it: fleet:release-add --product "
            + "demo-app --version 2.0.0 --kind application demo-app-2.0.0.tar.gz";
    private static final ArchiveLimits DEFAULT_LIMITS = new ArchiveLimits(100_000, 4L * 1024 * 1024 * 1024, 100);

    @TempDir
    Path root;

    private final InMemoryReleaseCatalog catalog = new InMemoryReleaseCatalog();
    private VfsReleaseStore store;

    @BeforeEach
    void openStore() {
        store = store(catalog);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void opensTheBytesItWasGiven() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();

        Release release = add("2.0.0", artifact);

        try (InputStream in = store.open(release)) {
            assertThat(in.readAllBytes()).isEqualTo(artifact);
        }
        assertThat(release.sha256()).isEqualTo(TarGz.sha256(artifact));
        assertThat(release.size()).isEqualTo(artifact.length);
        assertThat(release).extracting(Release::product, Release::version, Release::kind, Release::fileName)
                .containsExactly(PRODUCT, "2.0.0", "application", "demo-app-2.0.0.tar.gz");
    }

    @Test
    void keepsTheArtifactUnderItsHash() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        String sha256 = TarGz.sha256(artifact);

        add("2.0.0", artifact);

        assertThat(Files.readAllBytes(root.resolve("blobs").resolve(sha256.substring(0, 2)).resolve(sha256)))
                .isEqualTo(artifact);
        assertThat(blobs()).hasSize(1);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void catalogsTheReleaseOnlyOnceItsBlobIsStored() {
        byte[] artifact = TarGz.release("2.0.0").bytes();

        Release release = add("2.0.0", artifact);

        assertThat(catalog.releases()).containsExactly(release);
        assertThat(store.find(PRODUCT, "2.0.0")).contains(release);
        assertThat(store.list()).containsExactly(release);
    }

    @Test
    void returnsTheExistingReleaseWhenTheSameBytesAreAddedAgain() {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Release first = add("2.0.0", artifact);

        Release again = add("2.0.0", artifact);

        assertThat(again).isEqualTo(first);
        assertThat(catalog.releases()).containsExactly(first);
        assertThat(blobs()).hasSize(1);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void refusesOtherBytesUnderAVersionItHoldsAndKeepsTheFirst() throws IOException {
        byte[] firstBytes = TarGz.release("2.0.0").bytes();
        Release first = add("2.0.0", firstBytes);
        byte[] otherBytes = TarGz.release("2.0.0-patched").bytes();

        assertThatThrownBy(() -> add("2.0.0", otherBytes))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_CONFLICT))
                .hasMessageContaining("demo-app/2.0.0 is in the store already with other content (sha256 "
                        + first.sha256())
                .hasMessageContaining("publish a new version");

        assertThat(blobs()).containsExactly(blobPath(first.sha256()));
        assertThat(Files.readAllBytes(blobPath(first.sha256()))).isEqualTo(firstBytes);
        assertThat(catalog.releases()).containsExactly(first);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void keepsOneBlobForTwoVersionsWithTheSameBytes() {
        byte[] artifact = TarGz.release("2.0.0").bytes();

        Release a = add("2.0.0", artifact);
        Release b = add("2.0.0+rebuilt", artifact);

        assertThat(a.sha256()).isEqualTo(b.sha256());
        assertThat(blobs()).hasSize(1);
        assertThat(catalog.releases()).hasSize(2);
        assertThat(temporaryFiles()).isEmpty();
    }

    static Stream<Arguments> unsafeArchives() {
        return Stream.of(
                Arguments.of("plain text", "this is no archive".getBytes(StandardCharsets.UTF_8),
                        "not a gzip tar archive"),
                Arguments.of("zip", zip(), "not a gzip tar archive"),
                Arguments.of("gzip of text", gzip("just text, not a tar"), "not a gzip tar archive"),
                Arguments.of("truncated", truncated(TarGz.release("2.0.0").bytes(), 6), "the archive is damaged"),
                Arguments.of("parent path", TarGz.archive().file("../evil", "x").bytes(), "'../evil'"),
                Arguments.of("parent inside path", TarGz.archive().file("bin/../../evil", "x").bytes(),
                        "'bin/../../evil'"),
                Arguments.of("absolute path", TarGz.archive().file("/etc/passwd", "root::0:0").bytes(),
                        "'/etc/passwd' is an absolute path"),
                Arguments.of("symbolic link up", TarGz.archive().directory("bin/").symbolicLink("bin/x", "../../x")
                        .bytes(), "symbolic link 'bin/x' points to '../../x'"),
                Arguments.of("absolute symbolic link", TarGz.archive().symbolicLink("passwd", "/etc/passwd").bytes(),
                        "symbolic link 'passwd' points to '/etc/passwd'"),
                Arguments.of("hard link up", TarGz.archive().file("a", "x").hardLink("b", "../a").bytes(),
                        "hard link 'b' points to '../a'"),
                Arguments.of("absolute hard link", TarGz.archive().hardLink("shadow", "/etc/shadow").bytes(),
                        "hard link 'shadow' points to '/etc/shadow'"),
                Arguments.of("symbolic link through a symbolic link",
                        TarGz.archive().directory("sub/").symbolicLink("sub/p", "a/../x").symbolicLink("sub/a", "..")
                                .bytes(), "symbolic link 'sub/p' points to 'a/../x', outside the archive"),
                Arguments.of("symbolic link loop", TarGz.archive().symbolicLink("a", "b").symbolicLink("b", "a")
                        .bytes(), "loop"),
                Arguments.of("fifo", TarGz.archive().fifo("pipe").bytes(), "'pipe' is a device or FIFO"),
                Arguments.of("device", TarGz.archive().characterDevice("dev/null").bytes(),
                        "'dev/null' is a device or FIFO"),
                Arguments.of("duplicate", TarGz.archive().file("./VERSION", "1").file("VERSION", "2").bytes(),
                        "the archive holds 'VERSION' more than once"),
                Arguments.of("manifest mismatch", TarGz.archive().file("./VERSION", "2.0.0\n")
                        .manifest(TarGz.sha256("1.0.0\n") + "  ./VERSION\n").bytes(),
                        "'VERSION' does not match MANIFEST.sha256"),
                Arguments.of("file missing from manifest", TarGz.archive().file("./VERSION", "2.0.0\n").manifest()
                        .file("./bin/extra", "surprise").bytes(), "'bin/extra' is not listed in MANIFEST.sha256"),
                Arguments.of("listed file missing", TarGz.archive().file("./VERSION", "2.0.0\n")
                        .manifest(TarGz.sha256("2.0.0\n") + "  ./VERSION\n" + TarGz.sha256("x") + "  ./bin/gone\n")
                        .bytes(), "MANIFEST.sha256 lists 'bin/gone', which is not a file of the archive"),
                Arguments.of("malformed manifest", TarGz.archive().file("./VERSION", "2.0.0\n")
                        .manifest("VERSION is fine, trust me\n").bytes(), "MANIFEST.sha256 line 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsafeArchives")
    void refusesAnUnsafeArchiveLeavingNothingBehind(String what, byte[] artifact, String reason) {
        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining(reason);

        assertNothingStored();
    }

    @Test
    void refusesAnArtifactLargerThanAllowedLeavingNothingBehind() {
        byte[] artifact = TarGz.archive().file("big", randomBytes((int) MAX_BYTES * 2)).bytes();

        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("larger than the " + MAX_BYTES + " bytes");

        assertNothingStored();
    }

    @Test
    void stopsReadingAnArtifactOnceItIsTooLarge() {
        ZeroStream endless = new ZeroStream(1024L * 1024 * 1024);

        assertThatThrownBy(() -> store.add(PRODUCT, "2.0.0", null, null, endless))
                .isInstanceOf(FleetupException.class);

        assertThat(endless.served).isLessThanOrEqualTo(MAX_BYTES + 64 * 1024);
        assertNothingStored();
    }

    @Test
    void refusesAVersionOutsideTheProductsScheme() {
        assertThatThrownBy(() -> add("2.x", TarGz.release("2.x").bytes()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.VERSION_MALFORMED))
                .hasMessageContaining("'2.x' is not a semantic version");

        assertNothingStored();
    }

    @Test
    void refusesAProductNameThatIsNoName() {
        assertThatThrownBy(() -> store.add("../demo", "2.0.0", null, null, stream(TarGz.release("2.0.0").bytes())))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("'../demo' is not a product name");

        assertNothingStored();
    }

    @Test
    void refusesAVersionOfItsSchemeThatNoServerCouldNameADirectory() {
        VfsReleaseStore maven = new VfsReleaseStore(catalog, new DefaultVersionSchemes(),
                new FixedProductProfiles("maven"), root.toUri().toString(), MAX_BYTES, DEFAULT_LIMITS);
        try {
            assertThatThrownBy(() -> maven.add(PRODUCT, "..1", null, null, stream(TarGz.release("1").bytes())))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                    .hasMessageStartingWith("'..1' cannot be a version on a server");
        } finally {
            maven.close();
        }

        assertNothingStored();
    }

    @Test
    void refusesAnUnknownKind() {
        assertThatThrownBy(() -> store.add(PRODUCT, "2.0.0", "driver", null, stream(TarGz.release("2.0.0").bytes())))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("'driver' is not a kind of release: use one of application, bios, firmware, "
                        + "management, os");

        assertNothingStored();
    }

    @Test
    void keepsTheKindAndTheBareFileName() {
        Release release = store.add(PRODUCT, "2.0.0", "firmware", "/home/ops/Downloads/fw-2.0.0.tar.gz",
                stream(TarGz.release("2.0.0").bytes()));

        assertThat(release.kind()).isEqualTo("firmware");
        assertThat(release.fileName()).isEqualTo("fw-2.0.0.tar.gz");
    }

    @Test
    void acceptsLinksThatStayInside() {
        byte[] artifact = TarGz.archive().directory("./").directory("./lib/").file("./lib/app-2.0.0.jar", "jar")
                .symbolicLink("./lib/app.jar", "app-2.0.0.jar").symbolicLink("./current", "lib")
                .symbolicLink("./lib/self", "../lib/./app.jar").hardLink("./app.jar", "lib/app-2.0.0.jar")
                .manifest(TarGz.sha256("jar") + "  ./lib/app-2.0.0.jar\n" + TarGz.sha256("jar") + " *app.jar\n")
                .bytes();

        Release release = add("2.0.0", artifact);

        assertThat(catalog.releases()).containsExactly(release);
    }

    @Test
    void leavesNoBlobWhenTheCatalogRefusesTheRelease() {
        store.close();
        store = store(new ReleaseCatalog() {
            @Override
            public void addRelease(Release release) {
                throw new FleetupException(FleetupException.INVENTORY_FAILED, "database is read-only");
            }

            @Override
            public Optional<Release> release(String product, String version) {
                return Optional.empty();
            }

            @Override
            public List<Release> releases() {
                return List.of();
            }
        });

        assertThatThrownBy(() -> add("2.0.0", TarGz.release("2.0.0").bytes()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVENTORY_FAILED));

        assertThat(blobs()).isEmpty();
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void failsTheReadThatReachesTheEndOfADamagedBlob() throws IOException {
        Release release = add("2.0.0", TarGz.release("2.0.0").bytes());
        damage(blobPath(release.sha256()), 100);

        try (InputStream in = store.open(release)) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("demo-app/2.0.0 is damaged: its SHA-256 is ")
                    .hasMessageContaining("not " + release.sha256());
        }
    }

    @Test
    void verifiesTheBytesItSkips() throws IOException {
        Release release = add("2.0.0", TarGz.release("2.0.0").bytes());
        damage(blobPath(release.sha256()), 10);

        try (InputStream in = store.open(release)) {
            assertThat(in.skip(100)).isEqualTo(100);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("damaged");
        }
    }

    @Test
    void failsToOpenARemovedBlobSayingHowToRepairIt() throws IOException {
        Release release = add("2.0.0", TarGz.release("2.0.0").bytes());
        Files.delete(blobPath(release.sha256()));

        assertThatThrownBy(() -> store.open(release))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.STORAGE_FAILED))
                .hasMessageContaining("is missing from the store")
                .hasMessageContaining(REPAIR_HINT);
    }

    @Test
    void failsTheReadOfADamagedBlobSayingHowToRepairIt() throws IOException {
        Release release = add("2.0.0", TarGz.release("2.0.0").bytes());
        damage(blobPath(release.sha256()), 100);

        try (InputStream in = store.open(release)) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining(REPAIR_HINT);
        }
    }

    @Test
    void repairsARemovedBlobWhenTheSameReleaseIsAddedAgain() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Release release = add("2.0.0", artifact);
        Files.delete(blobPath(release.sha256()));

        Release again = add("2.0.0", artifact);

        assertThat(again).isEqualTo(release);
        assertThat(catalog.releases()).containsExactly(release);
        try (InputStream in = store.open(release)) {
            assertThat(in.readAllBytes()).isEqualTo(artifact);
        }
        assertThat(Files.readAllBytes(blobPath(release.sha256()))).isEqualTo(artifact);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void repairsADamagedBlobOfTheRightSizeWhenTheSameReleaseIsAddedAgain() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Release release = add("2.0.0", artifact);
        damage(blobPath(release.sha256()), 100);

        add("2.0.0", artifact);

        try (InputStream in = store.open(release)) {
            assertThat(in.readAllBytes()).isEqualTo(artifact);
        }
        assertThat(Files.readAllBytes(blobPath(release.sha256()))).isEqualTo(artifact);
        assertThat(catalog.releases()).containsExactly(release);
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void repairsADamagedBlobOfTheRightSizeWhenAnotherVersionWithTheSameBytesIsAdded() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Release first = add("2.0.0", artifact);
        damage(blobPath(first.sha256()), 100);

        add("2.0.0+rebuilt", artifact);

        try (InputStream in = store.open(first)) {
            assertThat(in.readAllBytes()).isEqualTo(artifact);
        }
    }

    @Test
    void leavesAHealthyBlobAsItIsWhenTheSameReleaseIsAddedAgain() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Release release = add("2.0.0", artifact);
        Path blob = blobPath(release.sha256());
        Object inode = Files.readAttributes(blob, BasicFileAttributes.class).fileKey();

        add("2.0.0", artifact);

        assertThat(Files.readAttributes(blob, BasicFileAttributes.class).fileKey()).isEqualTo(inode);
    }

    @Test
    void replacesABlobOfTheWrongSizeWithTheVerifiedUpload() throws IOException {
        byte[] artifact = TarGz.release("2.0.0").bytes();
        Path blob = blobPath(TarGz.sha256(artifact));
        Files.createDirectories(blob.getParent());
        Files.write(blob, new byte[] {1, 2, 3});

        Release release = add("2.0.0", artifact);

        try (InputStream in = store.open(release)) {
            assertThat(in.readAllBytes()).isEqualTo(artifact);
        }
    }

    @Test
    void refusesAnArchiveWithMoreEntriesThanAllowed() {
        reopen(new ArchiveLimits(10, DEFAULT_LIMITS.maxUnpackedBytes(), DEFAULT_LIMITS.maxCompressionRatio()));

        assertThatThrownBy(() -> add("2.0.0", emptyFiles(11)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining("more than 10 entries (entry 11 is 'f10')")
                .hasMessageContaining("maxEntries in etc/org.fleetup.storage.cfg");

        assertNothingStored();
    }

    @Test
    void acceptsAnArchiveWithAsManyEntriesAsAllowed() {
        reopen(new ArchiveLimits(10, DEFAULT_LIMITS.maxUnpackedBytes(), DEFAULT_LIMITS.maxCompressionRatio()));

        Release release = add("2.0.0", emptyFiles(10));

        assertThat(catalog.releases()).containsExactly(release);
    }

    @Test
    void refusesAnArchiveThatUnpacksToMoreThanAllowed() {
        reopen(new ArchiveLimits(DEFAULT_LIMITS.maxEntries(), 256 * 1024, 1000));

        assertThatThrownBy(() -> add("2.0.0", TarGz.archive().file("zeros", new byte[300 * 1024]).bytes()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining("unpacks to more than 262144 bytes")
                .hasMessageContaining("maxUnpackedBytes in etc/org.fleetup.storage.cfg");

        assertNothingStored();
    }

    @Test
    void refusesAnArchiveCompressedMoreThanTheRatioAllows() {
        byte[] artifact = TarGz.archive().file("zeros", new byte[2 * 1024 * 1024]).bytes();

        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining("unpacks to more than 1048576 bytes from " + artifact.length + " packed")
                .hasMessageContaining("more than 100 times its size")
                .hasMessageContaining("maxCompressionRatio in etc/org.fleetup.storage.cfg");

        assertNothingStored();
    }

    @Test
    void acceptsAnyRatioForAnArchiveThatUnpacksToLittle() {
        // a tar pads to 10 KiB records: a small release compresses more than a large one
        byte[] artifact = TarGz.archive().file("zeros", new byte[512 * 1024]).bytes();

        Release release = add("2.0.0", artifact);

        assertThat(catalog.releases()).containsExactly(release);
    }

    @Test
    void refusesAnEntryWithMoreTarHeadersThanAllowed() {
        // a ratio this high lets the name pass as what it is: headers, not content
        reopen(new ArchiveLimits(DEFAULT_LIMITS.maxEntries(), DEFAULT_LIMITS.maxUnpackedBytes(), 100_000));
        // commons-compress holds a long name in memory whole before it returns the entry it names
        byte[] longName = "a".repeat(2 * 1024 * 1024).getBytes(StandardCharsets.US_ASCII);
        byte[] artifact = TarGz.archive().file("VERSION", "1")
                .rawEntry("././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, longName).file("short", "x").bytes();

        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("after 'VERSION' take more than 1048576 bytes");

        assertNothingStored();
    }

    @Test
    void refusesAnEntryWithTooManyPaxHeaders() {
        Map<String, String> headers = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            headers.put("fleetup.test." + i, "x");
        }

        assertThatThrownBy(() -> add("2.0.0", TarGz.archive().fileWithPaxHeaders("VERSION", headers).bytes()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("'VERSION' carries 200 PAX headers");

        assertNothingStored();
    }

    @Test
    void refusesPathsLongerInAllThanTheEntriesAllowedCanHold() {
        reopen(new ArchiveLimits(10, DEFAULT_LIMITS.maxUnpackedBytes(), DEFAULT_LIMITS.maxCompressionRatio()));
        TarGz archive = TarGz.archive();
        for (int i = 0; i < 3; i++) {
            archive.file(i + "x".repeat(1000), "x");
        }

        assertThatThrownBy(() -> add("2.0.0", archive.bytes()))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("paths and link targets add up to more than 2560 characters")
                .hasMessageContaining("maxEntries");

        assertNothingStored();
    }

    @Test
    void refusesAnArchiveWithADamagedTarHeader() {
        byte[] tar = TarGz.archive().file("VERSION", "2.0.0\n").file("bin/demo-app", "#!/bin/sh\n").tar();
        // the second header starts at 1024 (512 of header and 512 of content for VERSION): its mtime field is at 136
        tar[1024 + 136] ^= 0x01;

        assertThatThrownBy(() -> add("2.0.0", TarGz.gzip(tar)))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining("the tar header of 'bin/demo-app' is damaged");

        assertNothingStored();
    }

    @ParameterizedTest(name = "mode {0}")
    @ValueSource(ints = {0555, 0500, 0300, 0600})
    void refusesADirectoryItsOwnerCannotChange(int mode) {
        byte[] artifact = TarGz.archive().directory("./").directory("./lib/", mode).file("./lib/a.jar", "jar")
                .bytes();

        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining("directory './lib/' has mode 0" + Integer.toOctalString(mode))
                .hasMessageContaining("chmod -R u+rwX");

        assertNothingStored();
    }

    @Test
    void refusesAReadOnlyTopDirectory() {
        byte[] artifact = TarGz.archive().directory("./", 0555).file("./VERSION", "2.0.0\n").bytes();

        assertThatThrownBy(() -> add("2.0.0", artifact))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageContaining("directory './' has mode 0555");
    }

    @Test
    void deletesTemporaryFilesACrashLeftBehindAtStart() throws IOException {
        store.close();
        Path abandoned = Files.writeString(root.resolve("tmp").resolve("crashed.part"), "half");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path recent = Files.writeString(root.resolve("tmp").resolve("under-way.part"), "half");

        store = store(catalog);

        assertThat(abandoned).doesNotExist();
        assertThat(recent).exists();
    }

    @Test
    void refusesToStartOnARootItCannotOpen() {
        assertThatThrownBy(() -> new VfsReleaseStore(catalog, new DefaultVersionSchemes(),
                new FixedProductProfiles("semantic"), "sftp://fleet@127.0.0.1/releases", MAX_BYTES, DEFAULT_LIMITS))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.STORAGE_FAILED))
                .hasMessageContaining("sftp://fleet@127.0.0.1/releases");
    }

    @Test
    void keepsReleasesUnderTheKarafDataDirectoryByDefault() {
        String previous = System.getProperty("karaf.data");
        System.setProperty("karaf.data", root.toString());
        try {
            assertThat(VfsReleaseStore.defaultRoot()).isEqualTo(root.resolve("releases").toUri().toString());
        } finally {
            if (previous == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", previous);
            }
        }
    }

    private VfsReleaseStore store(ReleaseCatalog releaseCatalog) {
        return store(releaseCatalog, DEFAULT_LIMITS);
    }

    private VfsReleaseStore store(ReleaseCatalog releaseCatalog, ArchiveLimits limits) {
        return new VfsReleaseStore(releaseCatalog, new DefaultVersionSchemes(), new FixedProductProfiles("semantic"),
                root.toUri().toString(), MAX_BYTES, limits);
    }

    private void reopen(ArchiveLimits limits) {
        store.close();
        store = store(catalog, limits);
    }

    private static byte[] emptyFiles(int count) {
        TarGz archive = TarGz.archive();
        for (int i = 0; i < count; i++) {
            archive.file("f" + i, "");
        }
        return archive.bytes();
    }

    private Release add(String version, byte[] artifact) {
        return store.add(PRODUCT, version, null, null, stream(artifact));
    }

    private void assertNothingStored() {
        assertThat(blobs()).isEmpty();
        assertThat(temporaryFiles()).isEmpty();
        assertThat(catalog.releases()).isEmpty();
    }

    private Path blobPath(String sha256) {
        return root.resolve("blobs").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private List<Path> blobs() {
        return filesUnder(root.resolve("blobs"));
    }

    private List<Path> temporaryFiles() {
        return filesUnder(root.resolve("tmp"));
    }

    private static List<Path> filesUnder(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void damage(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x01;
        Files.write(file, bytes);
    }

    private static InputStream stream(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] truncated(byte[] bytes, int cut) {
        return Arrays.copyOf(bytes, bytes.length - cut);
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] zip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("VERSION"));
            zip.write("2.0.0".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Zeros, up to a limit, counting what was read. */
    private static final class ZeroStream extends InputStream {

        private final long limit;
        private long served;

        ZeroStream(long limit) {
            this.limit = limit;
        }

        @Override
        public int read() {
            if (served >= limit) {
                return -1;
            }
            served++;
            return 0;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (served >= limit) {
                return -1;
            }
            int count = (int) Math.min(length, limit - served);
            Arrays.fill(buffer, offset, offset + count, (byte) 0);
            served += count;
            return count;
        }
    }
}
