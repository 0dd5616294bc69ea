package org.fleetup.inspection.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.transport.LoginSettings;
import org.junit.jupiter.api.Test;

class ConfiguredProductProfilesTest {

    static ConfiguredProductProfiles profiles(Map<String, Object> properties) {
        return new ConfiguredProductProfiles(ComponentConfig.of(ConfiguredProductProfiles.Config.class, properties),
                properties);
    }

    private static Server server(Map<String, String> attributes) {
        return new Server("web-01", null, URI.create("ssh://127.0.0.1:2201"), LoginSettings.of("deploy", "/keys/k"),
                attributes);
    }

    /** What the configuration's defaults add to a profile: the release's kind decides whether the server reboots. */
    private static final Activation BY_KIND = new Activation("", Activation.Reboot.AUTO,
            Activation.DEFAULT_REBOOT_COMMAND, Activation.DEFAULT_BOOT_ID_COMMAND, "", "", "");

    @Test
    void theDefaultProfileNamesTheProduct() {
        assertThat(profiles(Map.of()).profile("demo-app")).isEqualTo(new ProductProfile("demo-app", "$HOME/demo-app",
                "cat current/VERSION", "current/bin/demo-app --version", "semantic", ProductProfile.DEFAULT_BUSY_MARKER,
                BY_KIND));
    }

    @Test
    void configuredDefaultsApplyToEveryProduct() {
        ProductProfile profile = profiles(Map.of("root", "/opt/{product}", "scheme", "maven")).profile("billing");

        assertThat(profile.root()).isEqualTo("/opt/billing");
        assertThat(profile.scheme()).isEqualTo("maven");
        assertThat(profile.versionCommand()).isEqualTo("cat current/VERSION");
    }

    @Test
    void anOverrideChangesOnlyItsOwnProduct() {
        ConfiguredProductProfiles profiles = profiles(Map.of("bios.root", "/", "bios.versionCommand",
                "dmidecode -s bios-version", "bios.scheme", "serial", "component.name", "ignored"));

        assertThat(profiles.profile("bios")).isEqualTo(new ProductProfile("bios", "/", "dmidecode -s bios-version",
                "current/bin/bios --version", "serial", ProductProfile.DEFAULT_BUSY_MARKER, BY_KIND));
        assertThat(profiles.profile("demo-app").root()).isEqualTo("$HOME/demo-app");
    }

    @Test
    void anOverrideForAProductWithDotsInItsName() {
        assertThat(profiles(Map.of("com.acme.agent.root", "/opt/acme")).profile("com.acme.agent").root())
                .isEqualTo("/opt/acme");
    }

    @Test
    void attributesBecomeQuotedWordsInCommandsAndTextInTheRoot() {
        ConfiguredProductProfiles profiles = profiles(Map.of("root", "$HOME/${site}/{product}",
                "versionCommand", "cat ${versionFile} ${unknown} ${TMPDIR:-/tmp} $${site} $PWD",
                "healthCommand", "current/bin/{product} --site \"${site}\""));

        ProductProfile profile = profiles.profile("demo-app", server(Map.of("site", "eu1;touch /tmp/x;#",
                "versionFile", "VERSION.txt")));

        assertThat(profile.root()).isEqualTo("$HOME/eu1;touch /tmp/x;#/demo-app");
        assertThat(profile.shellRoot()).isEqualTo("\"$HOME\"/'eu1;touch /tmp/x;#/demo-app'");
        assertThat(profile.versionCommand()).isEqualTo("cat 'VERSION.txt' ${unknown} ${TMPDIR:-/tmp} $${site} $PWD");
        assertThat(profile.healthCommand()).isEqualTo("current/bin/demo-app --site \"\"'eu1;touch /tmp/x;#'\"\"");
    }

    @Test
    void theBusyMarkerIsUnderTheRootByDefaultAndAPathWithAttributesAsText() {
        assertThat(profiles(Map.of()).profile("demo-app").busyMarker()).isEqualTo(".busy");

        ProductProfile profile = profiles(Map.of("demo-app.busyMarker", "/run/${site}/{product}.lock"))
                .profile("demo-app", server(Map.of("site", "eu1 'x'")));

        assertThat(profile.busyMarker()).isEqualTo("/run/eu1 'x'/demo-app.lock");
        assertThat(profiles(Map.of()).profile("billing").busyMarker()).isEqualTo(".busy");
    }

    @Test
    void theProfileAsConfiguredKeepsItsPlaceholders() {
        assertThat(profiles(Map.of("root", "/srv/${site}")).profile("demo-app").root()).isEqualTo("/srv/${site}");
    }

    @Test
    void aRootNamingAnAttributeTheServerLacksIsRefusedNamingBoth() {
        ConfiguredProductProfiles profiles = profiles(Map.of("root", "$HOME/${site}"));

        assertThatThrownBy(() -> profiles.profile("demo-app", server(Map.of())))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.SERVER_INVALID))
                .hasMessageContaining("${site}")
                .hasMessageContaining("web-01");
    }

    @Test
    void aProductThatIsNotAProductNameIsRefusedBeforeItReachesAnyValue() {
        ConfiguredProductProfiles profiles = profiles(Map.of());

        for (String product : new String[] {"$(reboot)", "../etc", "a b", "-rf"}) {
            assertThatThrownBy(() -> profiles.profile(product))
                    .isInstanceOfSatisfying(FleetupException.class,
                            e -> assertThat(e.code()).isEqualTo(FleetupException.RELEASE_INVALID))
                    .hasMessageStartingWith("'" + product + "' is not a product name");
            assertThatThrownBy(() -> profiles.profile(product, server(Map.of())))
                    .isInstanceOf(FleetupException.class);
        }
    }

    @Test
    void anAttributeTheProfileDoesNotNameMayHoldAnything() {
        ProductProfile profile = profiles(Map.of()).profile("demo-app", server(Map.of("note", "\"quoted\" $x\n")));

        assertThat(profile.root()).isEqualTo("$HOME/demo-app");
        assertThat(profile.versionCommand()).isEqualTo("cat current/VERSION");
    }

    @Test
    void theInstallerIsAutoWithNoHooksByDefault() {
        assertThat(profiles(Map.of()).profile("demo-app").installer()).isEqualTo(ProductProfile.Installer.DEFAULT);
    }

    @Test
    void installerKeysAreReadPerProductWithAttributesQuotedInTheirCommands() {
        ConfiguredProductProfiles profiles = profiles(Map.of("packageCommand", "sudo -n dpkg",
                "fw.strategy", "script", "fw.installCommand", "flash --bank ${bank} \"$1\"",
                "fw.rollbackCommand", "flash --select ${bank}-previous", "fw.preInstallCommand", "stop-{product}",
                "fw.postInstallCommand", "start-{product}", "agent.packageName", "acme-${site}"));

        Server server = server(Map.of("bank", "b;reboot", "site", "eu1"));

        assertThat(profiles.profile("fw", server).installer()).isEqualTo(new ProductProfile.Installer("script",
                "stop-fw", "flash --bank 'b;reboot' \"$1\"", "start-fw", "flash --select 'b;reboot'-previous", "",
                "sudo -n dpkg"));
        assertThat(profiles.profile("agent", server).installer()).isEqualTo(new ProductProfile.Installer("auto", "", "",
                "", "", "acme-eu1", "sudo -n dpkg"));
    }

    @Test
    void activationKeysHaveDefaultsTakeOverridesAndServerAttributes() {
        // By default the release's kind decides whether the server reboots; nothing else is added to the profile.
        assertThat(profiles(Map.of()).profile("demo-app").activation()).isEqualTo(BY_KIND);

        ProductProfile profile = profiles(Map.of("restartCommand", "systemctl restart {product}",
                "bios.reboot", "auto", "bios.bootIdCommand", "cat boot_id", "bios.rebootCommand", "shutdown -r now",
                "healthUrl", "http://127.0.0.1:${port}/version", "healthExpect", "ok ${site}",
                "busyCommand", "pgrep -f ${job}"))
                .profile("bios", server(Map.of("port", "8080", "site", "eu1", "job", "backup;x")));

        assertThat(profile.activation()).isEqualTo(new Activation("systemctl restart bios", Activation.Reboot.AUTO,
                "shutdown -r now", "cat boot_id", "http://127.0.0.1:8080/version", "ok eu1", "pgrep -f 'backup;x'"));
    }

    @Test
    void aRebootThatIsNotNeverAlwaysOrAutoIsRefusedWhenTheConfigurationIsRead() {
        assertThatThrownBy(() -> profiles(Map.of("bios.reboot", "sometimes")))
                .isInstanceOfSatisfying(FleetupException.class,
                        e -> assertThat(e.code()).isEqualTo(FleetupException.INVALID_INPUT))
                .hasMessageContaining("sometimes");
    }
}
