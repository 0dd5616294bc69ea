package org.fleetup.upgrade.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.fleetup.api.FleetupException;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which strategy installs which release, and the commands the package strategy builds for rpm. */
class InstallStrategyTest {

    private static final String SHA = "0".repeat(64);

    @ParameterizedTest(name = "{0} {1} {2} with installCommand ''{3}'' -> {4}")
    @CsvSource({
            "auto, application, demo-app-2.0.0.tar.gz, '', directories",
            "auto, application, demo-app_2.0.0_all.deb, '', package",
            "auto, os, demo-app-2.0.0-1.x86_64.RPM, '', package",
            "auto, firmware, fw-2.0.0.bin, flash \"$1\", script",
            "auto, bios, bios-2.0.0.rom, flash \"$1\", script",
            "auto, bios, bios-2.0.0.tar.gz, '', directories",
            "auto, os, os-2.0.0.img, dd if=\"$1\" of=/dev/sdb, script",
            "auto, application, demo-app-2.0.0.tar.gz, ./install.sh, directories",
            "script, application, demo-app-2.0.0.tar.gz, ./install.sh, script",
            "SCRIPT, management, agent-2.0.0.tar.gz, ./install.sh, script",
            "package, os, base_2.0.0_amd64.deb, '', package",
            "directories, application, demo-app-2.0.0.tar.gz, '', directories"})
    void theKindAndTheFileChooseTheStrategyUnlessTheProfileSays(String strategy, String kind, String file,
                                                                String installCommand, String expected) {
        assertThat(InstallStrategy.of(profile(new ProductProfile.Installer(strategy, "", installCommand, "", "",
                "", "")), release(kind, file)).name()).isEqualTo(expected);
    }

    @Test
    void profilesWithoutAnInstallerInstallByReleaseDirectories() {
        ProductProfile profile = new ProductProfile("demo-app", "$HOME/demo-app", "cat current/VERSION",
                "current/bin/demo-app --version", "semantic");

        assertThat(profile.installer()).isEqualTo(ProductProfile.Installer.DEFAULT);
        assertThat(InstallStrategy.of(profile, release("application", "demo-app-2.0.0.tar.gz")))
                .isSameAs(InstallStrategy.ReleaseDirectories.INSTANCE);
    }

    @Test
    void packageStrategyRefusesAnArchive() {
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("package", "")),
                release("application", "demo-app-2.0.0.tar.gz")))
                .isInstanceOf(FleetupException.class)
                .hasFieldOrPropertyWithValue("code", FleetupException.RELEASE_INVALID)
                .hasMessage("Release demo-app/2.0.0 (application) cannot be installed: the package strategy installs "
                        + "only .deb and .rpm files, not 'demo-app-2.0.0.tar.gz': add the release as a package, or "
                        + "set the profile's strategy to directories or script.");
    }

    @Test
    void releaseDirectoriesRefuseAPackage() {
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("directories", "")),
                release("application", "demo-app_2.0.0_all.deb")))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release demo-app/2.0.0 (application) cannot be installed: 'demo-app_2.0.0_all.deb' is a "
                        + "package, which the release directories strategy cannot unpack: set the profile's strategy "
                        + "to package or auto.");
    }

    @Test
    void scriptStrategyRefusesAProfileWithoutInstallCommand() {
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("script", "  ")),
                release("firmware", "fw-2.0.0.bin")))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release demo-app/2.0.0 (firmware) cannot be installed: the script strategy needs an "
                        + "installCommand, and the product profile has none: set installCommand (and "
                        + "rollbackCommand, for a way back).");
    }

    @Test
    void imageWithoutInstallCommandIsRefusedRatherThanUnpacked() {
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("auto", "")), release("os", "os-2.0.0.img")))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release demo-app/2.0.0 (os) cannot be installed: the script strategy needs an "
                        + "installCommand, and the product profile has none: set installCommand (and "
                        + "rollbackCommand, for a way back).");
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("directories", "flash \"$1\"")),
                release("firmware", "fw-2.0.0.bin")))
                .isInstanceOf(FleetupException.class)
                .hasMessage("Release demo-app/2.0.0 (firmware) cannot be installed: 'fw-2.0.0.bin' is an image, which "
                        + "the release directories strategy cannot unpack: set the profile's strategy to script (or "
                        + "auto) with an installCommand that writes it.");
    }

    @Test
    void unknownStrategyIsRefused() {
        assertThatThrownBy(() -> InstallStrategy.of(profile(installer("ansible", "")),
                release("application", "demo-app-2.0.0.tar.gz")))
                .isInstanceOf(FleetupException.class)
                .hasMessage("The install strategy 'ansible' of the product profile is unknown: set strategy to "
                        + "directories, script, package or auto.");
    }

    /** rpm is not run by the tests on every machine: what the unit and the controller send it is checked here. */
    @Test
    void rpmPackagesAreUpgradedOldPackagesAllowedQueriedAndRemovedWithRpmWords() {
        PackageUnit unit = PackageUnit.of(profile(new ProductProfile.Installer("auto", "", "", "", "", "agent",
                "sudo -n rpm --dbpath /var/lib/rpm")), release("management", "agent-2.0.0-1.noarch.rpm"));

        assertThat(unit.name()).isEqualTo("package");
        assertThat(unit.suffix()).isEqualTo(".rpm");
        assertThat(unit.unitFunctions("/srv/a/staging/agent.rpm")).startsWith("artifact='/srv/a/staging/agent.rpm' "
                + "name='agent' manager='sudo -n rpm --dbpath /var/lib/rpm' extension=rpm kept_dir=packages "
                + "install_args='-U --oldpackage --replacepkgs' remove_args='-e'\n");
        assertThat(PackageUnit.Manager.RPM.query("sudo -n rpm", "agent"))
                .isEqualTo("sudo -n rpm -q --qf '%{VERSION}\\n' agent");
        assertThat(PackageUnit.Manager.RPM.field("/tmp/a.rpm", true)).isEqualTo("rpm -qp --qf '%{NAME}\n' /tmp/a.rpm");
        assertThat(PackageUnit.Manager.RPM.field("/tmp/a.rpm", false))
                .isEqualTo("rpm -qp --qf '%{VERSION}\n' /tmp/a.rpm");
    }

    @Test
    void debPackagesDefaultToDpkgAndTheProductsName() {
        PackageUnit unit = PackageUnit.of(profile(ProductProfile.Installer.DEFAULT),
                release("application", "demo-app_2.0.0_all.deb"));

        assertThat(unit.suffix()).isEqualTo(".deb");
        assertThat(unit.unitFunctions("/s/a.deb")).startsWith("artifact='/s/a.deb' name='demo-app' manager='dpkg' "
                + "extension=deb kept_dir=packages install_args='-i' remove_args='-r'\n");
    }

    @Test
    void scriptArtifactsKeepTheirFileExtensionWhenItIsPlain() {
        assertThat(ScriptUnit.suffixOf("fw-2.0.0.bin")).isEqualTo(".bin");
        assertThat(ScriptUnit.suffixOf("os-2.0.0.tar.gz")).isEqualTo(".tar.gz");
        assertThat(ScriptUnit.suffixOf("image.$(reboot)")).isEqualTo(".artifact");
        assertThat(ScriptUnit.suffixOf("firmware")).isEqualTo(".artifact");
        assertThat(ScriptUnit.suffixOf(null)).isEqualTo(".artifact");
    }

    private static ProductProfile.Installer installer(String strategy, String installCommand) {
        return new ProductProfile.Installer(strategy, "", installCommand, "", "", "", "");
    }

    private static ProductProfile profile(ProductProfile.Installer installer) {
        return new ProductProfile("demo-app", "$HOME/demo-app", "cat current/VERSION", "current/bin/demo-app --version",
                "semantic", ProductProfile.DEFAULT_BUSY_MARKER, installer);
    }

    private static Release release(String kind, String file) {
        return new Release("demo-app", "2.0.0", kind, SHA, 1, file, Instant.now());
    }
}
