package org.fleetup.inspection.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.commons.text.StringSubstitutor;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Activation;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.ReleaseNames;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The product profiles as configured: defaults for every product, and per product overrides as the extra keys
 * {@code <product>.root}, {@code <product>.versionCommand}, {@code <product>.healthCommand},
 * {@code <product>.scheme}, {@code <product>.busyMarker} and so on for every key of {@link Config} (metatype cannot
 * declare keys named after products).
 */
@Component(service = ProductProfiles.class, configurationPid = "org.fleetup.profiles")
@Designate(ocd = ConfiguredProductProfiles.Config.class)
public final class ConfiguredProductProfiles implements ProductProfiles {

    /** Stands for the product's name in the defaults. */
    static final String PRODUCT_PLACEHOLDER = "{product}";

    private static final List<String> FIELDS = List.of("root", "versionCommand", "healthCommand", "scheme",
            "busyMarker", "strategy", "preInstallCommand", "installCommand", "postInstallCommand", "rollbackCommand",
            "packageName", "packageCommand", "restartCommand", "reboot", "rebootCommand", "bootIdCommand", "healthUrl",
            "healthExpect", "busyCommand");

    @ObjectClassDefinition(name = "Fleetup product profiles", description = "How each product lives on a server;"
            + " {product} stands for the product's name, ${attribute} for a server attribute. Override one product"
            + " with the keys <product>.root, <product>.versionCommand, <product>.healthCommand, <product>.scheme,"
            + " <product>.busyMarker and so on for every key")
    public @interface Config {

        @AttributeDefinition(description = "The application root, a path: releases/<version>/, the current link and"
                + " staging/ are under it. A leading ~/ or $HOME/ is the login's home directory; nothing else in it is"
                + " expanded but server attributes ${name}")
        String root() default "$HOME/" + PRODUCT_PLACEHOLDER;

        @AttributeDefinition(description = "Prints the running version; run in the root by /bin/sh, every server"
                + " attribute ${name} in it as one quoted word. When it fails and the root holds no current link, or"
                + " does not exist, nothing of the product is installed")
        String versionCommand() default "cat current/VERSION";

        @AttributeDefinition(description = "Prints the version of the release current points to once it runs; run"
                + " in the root")
        String healthCommand() default "current/bin/" + PRODUCT_PLACEHOLDER + " --version";

        @AttributeDefinition(description = "The version scheme: semantic, maven, debian, serial or date")
        String scheme() default "semantic";

        @AttributeDefinition(description = "A path that exists while the server is busy: no install starts then, the"
                + " upgrade waits (etc/org.fleetup.upgrade.cfg installableWaitSeconds). Under the root when relative;"
                + " a leading ~/ or $HOME/ is the login's home directory; server attributes ${name} as in the root")
        String busyMarker() default ProductProfile.DEFAULT_BUSY_MARKER;

        @AttributeDefinition(description = "How a release is installed: directories (unpacked into releases/<version>,"
                + " current switched), script (the hooks below), package (.deb or .rpm), or auto: a .deb or .rpm file"
                + " as a package, an image (.bin, .img, ...) and a firmware or bios release with an installCommand"
                + " by script, else directories")
        String strategy() default ProductProfile.Installer.AUTO;

        @AttributeDefinition(description = "Script strategy: run in the root before installCommand, the staged artifact"
                + " as $1 and $FLEETUP_ARTIFACT, the versions as $FLEETUP_VERSION and $FLEETUP_PREVIOUS_VERSION;"
                + " empty for none")
        String preInstallCommand() default "";

        @AttributeDefinition(description = "Script strategy: installs the artifact ($1), run in the root")
        String installCommand() default "";

        @AttributeDefinition(description = "Script strategy: run after installCommand, before the health check")
        String postInstallCommand() default "";

        @AttributeDefinition(description = "Script strategy: brings $FLEETUP_PREVIOUS_VERSION back after a failed"
                + " health check; empty: no way back, the server is left FAILED")
        String rollbackCommand() default "";

        @AttributeDefinition(description = "Package strategy: the package's name; empty for the product's name")
        String packageName() default "";

        @AttributeDefinition(description = "Package strategy: the package manager with its options (sudo dpkg,"
                + " dpkg --root=$HOME/sys --force-not-root); empty for dpkg or rpm by the artifact's file name")
        String packageCommand() default "";

        @AttributeDefinition(description = "Run in the root after the switch, before the health check (and again"
                + " after a switch back), under its own deadline; failing counts as a failing health check. Empty:"
                + " none")
        String restartCommand() default "";

        @AttributeDefinition(description = "Whether the server reboots after the switch: never, always, or auto (by"
                + " the release's kind: bios, firmware and os reboot)")
        String reboot() default "auto";

        @AttributeDefinition(description = "Reboots the server")
        String rebootCommand() default Activation.DEFAULT_REBOOT_COMMAND;

        @AttributeDefinition(description = "Prints an id that changes at every boot: the proof of a reboot")
        String bootIdCommand() default Activation.DEFAULT_BOOT_ID_COMMAND;

        @AttributeDefinition(description = "When set, the health check fetches this URL on the server (curl, else"
                + " wget) instead of running healthCommand; it must answer 2xx")
        String healthUrl() default "";

        @AttributeDefinition(description = "The first line the health check must print or answer; empty: the"
                + " release's version")
        String healthExpect() default "";

        @AttributeDefinition(description = "When set, run in the root before an install: exit 0 means busy, its"
                + " first line of output saying why")
        String busyCommand() default "";
    }

    private final Map<String, String> defaults;
    private final Map<String, Map<String, String>> overrides;

    @Activate
    public ConfiguredProductProfiles(Config config, Map<String, Object> properties) {
        this.defaults = Map.ofEntries(Map.entry("root", config.root()),
                Map.entry("versionCommand", config.versionCommand()),
                Map.entry("healthCommand", config.healthCommand()), Map.entry("scheme", config.scheme()),
                Map.entry("busyMarker", config.busyMarker()), Map.entry("strategy", config.strategy()),
                Map.entry("preInstallCommand", config.preInstallCommand()),
                Map.entry("installCommand", config.installCommand()),
                Map.entry("postInstallCommand", config.postInstallCommand()),
                Map.entry("rollbackCommand", config.rollbackCommand()),
                Map.entry("packageName", config.packageName()),
                Map.entry("packageCommand", config.packageCommand()),
                Map.entry("restartCommand", config.restartCommand()),
                Map.entry("reboot", config.reboot()), Map.entry("rebootCommand", config.rebootCommand()),
                Map.entry("bootIdCommand", config.bootIdCommand()), Map.entry("healthUrl", config.healthUrl()),
                Map.entry("healthExpect", config.healthExpect()), Map.entry("busyCommand", config.busyCommand()));
        this.overrides = overrides(properties);
        // A wrong reboot value is told when the configuration is read, not at the first rollout.
        Activation.Reboot.parse(config.reboot());
        overrides.values().forEach(fields -> Optional.ofNullable(fields.get("reboot"))
                .ifPresent(Activation.Reboot::parse));
    }

    /** Groups the keys {@code <product>.<field>} by product. */
    private static Map<String, Map<String, String>> overrides(Map<String, Object> properties) {
        Map<String, Map<String, String>> overrides = new HashMap<>();
        properties.forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            if (dot > 0 && FIELDS.contains(key.substring(dot + 1)) && value != null) {
                overrides.computeIfAbsent(key.substring(0, dot), product -> new HashMap<>())
                        .put(key.substring(dot + 1), value.toString());
            }
        });
        overrides.replaceAll((product, fields) -> Map.copyOf(fields));
        return Map.copyOf(overrides);
    }

    /** @throws FleetupException {@link FleetupException#RELEASE_INVALID} when {@code product} is not a product name */
    @Override
    public ProductProfile profile(String product) {
        // The name goes into every value ({product}), and from there into commands run on servers.
        ReleaseNames.requireProduct(product);
        Map<String, String> own = overrides.getOrDefault(product, Map.of());
        return new ProductProfile(product, field("root", product, own), field("versionCommand", product, own),
                field("healthCommand", product, own), field("scheme", product, own),
                field("busyMarker", product, own),
                new ProductProfile.Installer(field("strategy", product, own), field("preInstallCommand", product, own),
                        field("installCommand", product, own), field("postInstallCommand", product, own),
                        field("rollbackCommand", product, own), field("packageName", product, own),
                        field("packageCommand", product, own)),
                activation(product, own));
    }

    private Activation activation(String product, Map<String, String> own) {
        return new Activation(field("restartCommand", product, own),
                Activation.Reboot.parse(field("reboot", product, own)), field("rebootCommand", product, own),
                field("bootIdCommand", product, own), field("healthUrl", product, own),
                field("healthExpect", product, own), field("busyCommand", product, own));
    }

    private String field(String name, String product, Map<String, String> own) {
        return own.getOrDefault(name, defaults.get(name)).replace(PRODUCT_PLACEHOLDER, product);
    }

    /**
     * Attributes become single-quoted words in the commands and text in the root and the busy marker, which are paths
     * ({@link ServerAttributes}); the scheme takes them as they are.
     *
     * @throws FleetupException as {@link ProductProfiles#profile(String, Server)} says
     */
    @Override
    public ProductProfile profile(String product, Server server) {
        ProductProfile profile = profile(product);
        ServerAttributes attributes = new ServerAttributes(server, product);
        StringSubstitutor text = new StringSubstitutor(server.attributes()).setValueDelimiterMatcher(null)
                .setDisableSubstitutionInValues(true);
        ProductProfile.Installer installer = profile.installer();
        Activation activation = profile.activation();
        return new ProductProfile(product, attributes.path("root", profile.root()),
                attributes.command("versionCommand", profile.versionCommand()),
                attributes.command("healthCommand", profile.healthCommand()),
                text.replace(profile.scheme()),
                attributes.path("busyMarker", profile.busyMarker()),
                new ProductProfile.Installer(text.replace(installer.strategy()),
                        attributes.command("preInstallCommand", installer.preInstallCommand()),
                        attributes.command("installCommand", installer.installCommand()),
                        attributes.command("postInstallCommand", installer.postInstallCommand()),
                        attributes.command("rollbackCommand", installer.rollbackCommand()),
                        text.replace(installer.packageName()),
                        attributes.command("packageCommand", installer.packageCommand())),
                // The URL and the expected answer are passed to the server as single words: text, not shell.
                new Activation(attributes.command("restartCommand", activation.restartCommand()),
                        activation.reboot(), attributes.command("rebootCommand", activation.rebootCommand()),
                        attributes.command("bootIdCommand", activation.bootIdCommand()),
                        text.replace(activation.healthUrl()), text.replace(activation.healthExpect()),
                        attributes.command("busyCommand", activation.busyCommand())));
    }
}
