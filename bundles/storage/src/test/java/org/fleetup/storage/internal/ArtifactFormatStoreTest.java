package org.fleetup.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.fleetup.api.FleetupException;
import org.fleetup.api.release.Release;
import org.fleetup.comparison.internal.DefaultVersionSchemes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The store takes packages and images besides gzip tars, each checked to be what its file name says, and keeps the
 * name, ending included, for the install strategy to go by. Packages are built here by the real {@code dpkg-deb} and
 * {@code rpmbuild}; judged by the store's own files (its blobs and temporary files) and its catalog.
 */
class ArtifactFormatStoreTest {

    private static final String PRODUCT = "demo-app";
    private static final long MAX_BYTES = 1024 * 1024;

    @TempDir
    Path root;

    @TempDir
    Path work;

    private final InMemoryReleaseCatalog catalog = new InMemoryReleaseCatalog();
    private VfsReleaseStore store;

    @BeforeEach
    void openStore() {
        store = new VfsReleaseStore(catalog, new DefaultVersionSchemes(), new FixedProductProfiles("semantic"),
                root.toUri().toString(), MAX_BYTES, new ArchiveLimits(100_000, 4L * 1024 * 1024 * 1024, 100));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void keepsADebianPackageUnderItsOwnName() throws IOException {
        Path deb = deb("2.0.0");

        Release release = add("2.0.0", "management", deb);

        assertThat(release).extracting(Release::kind, Release::fileName)
                .containsExactly("management", "demo-app_2.0.0_all.deb");
        assertStored(release, deb);
    }

    @Test
    void keepsAnRpmPackageUnderItsOwnName() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rpmbuild")), "rpmbuild is not installed (Debian's rpm)");
        Path rpm = rpm("2.0.0");

        Release release = add("2.0.0", "os", rpm);

        assertThat(release).extracting(Release::kind, Release::fileName)
                .containsExactly("os", "demo-app-2.0.0-1.noarch.rpm");
        assertStored(release, rpm);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"firmware, fw-2.0.0.bin", "bios, BIOS-2.0.0.ROM", "os, os-2.0.0.img", "firmware, nic-2.0.0.fw"})
    void keepsAnImageOfAnyBytesForTheKindsThatAreImages(String kind, String name) throws IOException {
        byte[] bytes = new byte[4096];
        new Random(7).nextBytes(bytes);
        Path image = Files.write(work.resolve(name), bytes);

        Release release = add("2.0.0", kind, image);

        assertThat(release).extracting(Release::kind, Release::fileName).containsExactly(kind, name);
        assertStored(release, image);
    }

    @Test
    void keepsAGzipTarUnderItsOwnName() throws IOException {
        Path archive = Files.write(work.resolve("demo-app-2.0.0.tgz"), TarGz.release("2.0.0").bytes());

        Release release = add("2.0.0", "application", archive);

        assertThat(release.fileName()).isEqualTo("demo-app-2.0.0.tgz");
        assertStored(release, archive);
    }

    @Test
    void refusesADebThatIsNoArArchive() throws IOException {
        Path deb = Files.write(work.resolve("demo-app_2.0.0_all.deb"), TarGz.release("2.0.0").bytes());

        assertRefused("application", deb, "demo-app/2.0.0 is refused: it is not a Debian package (an ar archive "
                + "whose first member is debian-binary, as dpkg-deb --build makes it): ");
    }

    @Test
    void refusesAnArArchiveThatIsNoDebianPackage() throws IOException {
        Path deb = Files.write(work.resolve("demo-app_2.0.0_all.deb"), ar("data.tar.gz", "control.tar.gz"));

        assertRefused("application", deb, "its first member is 'data.tar.gz'");
    }

    @Test
    void refusesADebianPackageWithoutItsData() throws IOException {
        Path deb = Files.write(work.resolve("demo-app_2.0.0_all.deb"), ar("debian-binary", "control.tar.gz"));

        assertRefused("application", deb, "it is not a whole Debian package: it has no data.tar member");
    }

    /** Commons Compress would hold a long-name table whole in memory: a hostile one could be as large as the upload. */
    @Test
    void refusesADebWithALongMemberNameBeforeReadingIt() throws IOException {
        Path deb = Files.write(work.resolve("demo-app_2.0.0_all.deb"), ar("debian-binary", "control.tar.gz",
                "data.tar.gz-with-a-name-longer-than-ar-holds"));

        assertRefused("application", deb, "it is not a Debian package: it has a member with a long name ('#1/");
    }

    @Test
    void refusesAnRpmWithoutTheLeadMagic() throws IOException {
        Path rpm = Files.copy(deb("2.0.0"), work.resolve("demo-app-2.0.0-1.noarch.rpm"));

        assertRefused("application", rpm, "it is not an RPM package: an .rpm starts with the RPM lead's magic "
                + "ed ab ee db, this file with 21 3c 61 72");
    }

    @Test
    void refusesAnRpmOfAnotherVersion() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rpmbuild")), "rpmbuild is not installed (Debian's rpm)");
        Path rpm = rpm("1.9.0");

        assertRefused("application", rpm, "the RPM package is version '1.9.0', not the release's 2.0.0: add it "
                + "under its own version");
    }

    @Test
    void refusesATarGzThatIsNoGzip() throws IOException {
        Path archive = Files.writeString(work.resolve("demo-app-2.0.0.tar.gz"), "release notes, not an archive\n");

        assertRefused("application", archive, "not a gzip tar archive");
    }

    @Test
    void refusesAnImageForAnApplication() throws IOException {
        Path image = Files.write(work.resolve("demo-app-2.0.0.bin"), new byte[] {1, 2, 3});

        assertRefused("application", image, "'demo-app-2.0.0.bin' is an image, which only a firmware, bios or os "
                + "release may be, not application");
    }

    @Test
    void refusesAFileNamedAsNoFormatItTakes() throws IOException {
        Path zip = Files.write(work.resolve("demo-app-2.0.0.zip"), new byte[] {'P', 'K', 3, 4});

        assertRefused("firmware", zip, "'demo-app-2.0.0.zip' is no kind of file the store takes. Name it by what "
                + "it is: .tar.gz or .tgz (a gzip tar), .deb, .rpm, or for a firmware, bios or os image .bin, .img, "
                + ".fw, .rom, .cap, .iso.");
    }

    @Test
    void refusesAnEmptyImage() throws IOException {
        Path image = Files.write(work.resolve("fw-2.0.0.bin"), new byte[0]);

        assertRefused("firmware", image, "the file is empty");
    }

    private Release add(String version, String kind, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return store.add(PRODUCT, version, kind, file.toString(), in);
        }
    }

    private void assertRefused(String kind, Path file, String reason) {
        assertThatThrownBy(() -> add("2.0.0", kind, file))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                .hasMessageStartingWith("demo-app/2.0.0 is refused: ")
                .hasMessageContaining(reason);
        assertThat(filesUnder(root.resolve("blobs"))).isEmpty();
        assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
        assertThat(catalog.releases()).isEmpty();
    }

    private void assertStored(Release release, Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        assertThat(release.sha256()).isEqualTo(TarGz.sha256(bytes));
        assertThat(root.resolve("blobs").resolve(release.sha256().substring(0, 2)).resolve(release.sha256()))
                .hasBinaryContent(bytes);
        assertThat(catalog.releases()).containsExactly(release);
        assertThat(filesUnder(root.resolve("tmp"))).isEmpty();
    }

    private Path deb(String version) throws IOException {
        Path tree = work.resolve("deb-" + version);
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), "Package: " + PRODUCT + "\nVersion: " + version
                + "\nArchitecture: all\nMaintainer: Fleetup tests <tests@fleetup.invalid>\nDescription: test\n");
        Files.writeString(Files.createDirectories(tree.resolve("opt/demo-app")).resolve("VERSION"), version);
        Path deb = work.resolve(PRODUCT + "_" + version + "_all.deb");
        run(List.of("dpkg-deb", "--build", "--root-owner-group", tree.toString(), deb.toString()));
        return deb;
    }

    private Path rpm(String version) throws IOException {
        Path spec = Files.writeString(work.resolve("demo-" + version + ".spec"), String.join("\n",
                "Name: " + PRODUCT, "Version: " + version, "Release: 1", "Summary: test", "License: MIT",
                "BuildArch: noarch", "%description", "test", "%install", "mkdir -p %{buildroot}/opt/demo-app",
                "printf '%s' " + version + " > %{buildroot}/opt/demo-app/VERSION", "%files",
                "/opt/demo-app/VERSION", ""));
        Path top = work.resolve("rpmbuild-" + version);
        run(List.of("rpmbuild", "-bb", "--quiet", "--define", "_topdir " + top, spec.toString()));
        return top.resolve("RPMS/noarch/" + PRODUCT + "-" + version + "-1.noarch.rpm");
    }

    /** An ar archive of empty members, in this order. */
    private static byte[] ar(String... members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(bytes)) {
            ar.setLongFileMode(ArArchiveOutputStream.LONGFILE_BSD);
            for (String member : members) {
                byte[] content = member.equals("debian-binary") ? "2.0\n".getBytes(StandardCharsets.US_ASCII)
                        : new byte[0];
                ar.putArchiveEntry(new ArArchiveEntry(member, content.length));
                ar.write(content);
                ar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void run(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> filesUnder(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
