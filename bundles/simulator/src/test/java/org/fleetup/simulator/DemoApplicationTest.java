package org.fleetup.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.fleetup.api.FleetupException;
import org.fleetup.api.simulator.Fault;
import org.fleetup.api.simulator.HostSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoApplicationTest {

    @TempDir
    Path dir;

    @Test
    void releaseManifestVerifiesAfterExtraction() throws Exception {
        Path archive = DemoApplication.writeRelease("2.0.1", dir.resolve("demo-app-2.0.1.tar.gz"));
        Path extracted = Files.createDirectory(dir.resolve("extracted"));

        assertThat(OpenSshClient.local(extracted.toFile(), "tar", "-xzf", archive.toString()).exit()).isZero();
        OpenSshClient.Result check = OpenSshClient.local(extracted.toFile(), "sha256sum", "-c", "MANIFEST.sha256");

        assertThat(check.exit()).as(check.err()).isZero();
        assertThat(check.out().lines()).containsExactly("VERSION: OK", "bin/demo-app: OK", "lib/demo-app.jar: OK");
        assertThat(extracted.resolve("lib/demo-app.jar")).hasSize(DemoApplication.DEFAULT_FILLER_BYTES);
    }

    @Test
    void extractedLauncherPrintsItsVersion() throws Exception {
        Path archive = DemoApplication.writeRelease("1.4.2", dir.resolve("release.tar.gz"), 1024);
        assertThat(OpenSshClient.local(dir.toFile(), "tar", "-xzf", archive.toString()).exit()).isZero();

        OpenSshClient.Result result = OpenSshClient.local(dir.toFile(), "bin/demo-app");

        assertThat(result.exit()).as(result.err()).isZero();
        assertThat(result.out()).isEqualTo("1.4.2\n");
    }

    @Test
    void sameVersionGivesTheSameArchive() throws Exception {
        Path first = DemoApplication.writeRelease("1.9.7", dir.resolve("first.tar.gz"));
        Path second = DemoApplication.writeRelease("1.9.7", dir.resolve("second.tar.gz"));
        Path other = DemoApplication.writeRelease("1.9.8", dir.resolve("other.tar.gz"));

        assertThat(first).hasSameBinaryContentAs(second);
        assertThat(Files.readAllBytes(other)).isNotEqualTo(Files.readAllBytes(first));
    }

    @Test
    void fillerSizeIsHonoured() throws Exception {
        Path archive = DemoApplication.writeRelease("1.0.0", dir.resolve("big.tar.gz"), 512 * 1024);
        assertThat(OpenSshClient.local(dir.toFile(), "tar", "-xzf", archive.toString()).exit()).isZero();

        assertThat(dir.resolve("lib/demo-app.jar")).hasSize(512 * 1024);
    }

    @Test
    void installLaysOutTheReleaseBehindARelativeCurrentLink() throws Exception {
        DemoApplication.install(dir, "1.2.3");

        Path application = dir.resolve("demo-app");
        assertThat(Files.readSymbolicLink(application.resolve("current"))).isEqualTo(Path.of("releases/1.2.3"));
        assertThat(application.resolve("releases/1.2.3")).isDirectoryContaining("glob:**/MANIFEST.sha256");
        OpenSshClient.Result check = OpenSshClient.local(application.resolve("current").toFile(),
                "sha256sum", "-c", "--quiet", "MANIFEST.sha256");
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(OpenSshClient.local(dir.toFile(), "demo-app/current/bin/demo-app").out()).isEqualTo("1.2.3\n");
    }

    @Test
    void installingAnotherVersionSwitchesCurrentAndKeepsTheOld() throws Exception {
        DemoApplication.install(dir, "1.2.3");

        DemoApplication.install(dir, "2.0.0");

        Path application = dir.resolve("demo-app");
        assertThat(Files.readSymbolicLink(application.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
        assertThat(application.resolve("current/VERSION")).hasContent("2.0.0");
        assertThat(application.resolve("releases/1.2.3/VERSION")).hasContent("1.2.3");
    }

    @Test
    void versionThatIsNotAPlainNameIsRefused() {
        assertThatThrownBy(() -> DemoApplication.install(dir, "../escape"))
                .isInstanceOf(FleetupException.class)
                .extracting(e -> ((FleetupException) e).code()).isEqualTo(FleetupException.VERSION_MALFORMED);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void demoMixOfTwentyHoldsEveryKind() {
        List<HostSpec> mix = DemoApplication.demoMix(20);

        assertThat(mix).hasSize(20);
        Map<String, Long> byVersion = mix.stream()
                .collect(Collectors.groupingBy(HostSpec::version, Collectors.counting()));
        assertThat(byVersion).containsEntry("2.0.0", 2L).containsEntry("2.0.1", 1L);
        assertThat(byVersion.keySet()).containsAll(DemoApplication.OLD_VERSIONS);
        assertThat(mix).filteredOn(spec -> spec.version().startsWith("1.")).hasSize(17);
        assertThat(mix).filteredOn(spec -> spec.faults().equals(Set.of(Fault.DISK_FULL))).singleElement()
                .satisfies(spec -> assertThat(spec.version()).startsWith("1."));
        assertThat(mix).filteredOn(spec -> spec.faults().equals(Set.of(Fault.DROP_CONNECTION))).singleElement()
                .satisfies(spec -> assertThat(spec.version()).startsWith("1."));
        assertThat(mix).filteredOn(spec -> !spec.faults().isEmpty()).hasSize(2);
        assertThat(mix.get(0).faults()).isEmpty();
        assertThat(mix.get(0).version()).startsWith("1.");
        assertThat(DemoApplication.demoMix(20)).isEqualTo(mix);
    }

    @Test
    void smallestDemoMixStillHoldsEveryKind() {
        List<HostSpec> mix = DemoApplication.demoMix(6);

        assertThat(mix).extracting(HostSpec::version).filteredOn("2.0.0"::equals).hasSize(2);
        assertThat(mix).extracting(HostSpec::version).contains("2.0.1");
        assertThat(mix).flatExtracting(HostSpec::faults).containsExactlyInAnyOrder(Fault.DISK_FULL,
                Fault.DROP_CONNECTION);
        assertThat(mix.get(0).faults()).isEmpty();
    }

    @Test
    void demoMixOfFewerThanSixIsRefused() {
        assertThatThrownBy(() -> DemoApplication.demoMix(5))
                .isInstanceOf(FleetupException.class)
                .hasMessageContaining("at least 6");
    }
}
