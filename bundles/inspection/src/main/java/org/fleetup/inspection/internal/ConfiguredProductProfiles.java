package org.fleetup.inspection.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookup;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The product profiles as configured: defaults for every product, and per product overrides as the extra keys
 * {@code <product>.root}, {@code <product>.versionCommand}, {@code <product>.healthCommand} and
 * {@code <product>.scheme} of the same configuration (metatype cannot declare keys named after products).
 */
@Component(service = ProductProfiles.class, configurationPid = "org.fleetup.profiles")
@Designate(ocd = ConfiguredProductProfiles.Config.class)
public final class ConfiguredProductProfiles implements ProductProfiles {

    /** Stands for the product's name in the defaults. */
    static final String PRODUCT_PLACEHOLDER = "{product}";

    private static final List<String> FIELDS = List.of("root", "versionCommand", "healthCommand", "scheme");

    /** Characters that would end or escape the double quotes a path is put in, or start a command substitution. */
    private static final Pattern SHELL_SPECIAL = Pattern.compile("[\"`$\\\\\\p{Cntrl}]");

    @ObjectClassDefinition(name = "Fleetup product profiles", description = "How each product lives on a server;"
            + " {product} stands for the product's name, ${attribute} for a server attribute. Override one product"
            + " with the keys <product>.root, <product>.versionCommand, <product>.healthCommand, <product>.scheme")
    public @interface Config {

        @AttributeDefinition(description = "The application root: releases/<version>/, the current link and"
                + " staging/ are under it; the server's shell expands $HOME")
        String root() default "$HOME/" + PRODUCT_PLACEHOLDER;

        @AttributeDefinition(description = "Prints the running version; run in the root. When it fails and the"
                + " root holds no current link, or does not exist, nothing of the product is installed")
        String versionCommand() default "cat current/VERSION";

        @AttributeDefinition(description = "Prints the version of the release current points to once it runs; run"
                + " in the root")
        String healthCommand() default "current/bin/" + PRODUCT_PLACEHOLDER + " --version";

        @AttributeDefinition(description = "The version scheme: semantic, maven, debian, serial or date")
        String scheme() default "semantic";
    }

    private final Map<String, String> defaults;
    private final Map<String, Map<String, String>> overrides;

    @Activate
    public ConfiguredProductProfiles(Config config, Map<String, Object> properties) {
        this.defaults = Map.of("root", config.root(), "versionCommand", config.versionCommand(),
                "healthCommand", config.healthCommand(), "scheme", config.scheme());
        this.overrides = overrides(properties);
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

    @Override
    public ProductProfile profile(String product) {
        Objects.requireNonNull(product, "product");
        Map<String, String> own = overrides.getOrDefault(product, Map.of());
        return new ProductProfile(product, field("root", product, own), field("versionCommand", product, own),
                field("healthCommand", product, own), field("scheme", product, own));
    }

    private String field(String name, String product, Map<String, String> own) {
        return own.getOrDefault(name, defaults.get(name)).replace(PRODUCT_PLACEHOLDER, product);
    }

    /**
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} when an attribute the profile names holds a
     *         character the server's shell would read as syntax
     */
    @Override
    public ProductProfile profile(String product, Server server) {
        ProductProfile profile = profile(product);
        StringSubstitutor substitutor = attributeSubstitutor(server);
        return new ProductProfile(product, substitutor.replace(profile.root()),
                substitutor.replace(profile.versionCommand()), substitutor.replace(profile.healthCommand()),
                substitutor.replace(profile.scheme()));
    }

    /**
     * Replaces {@code ${name}} when {@code name} is an attribute of the server, and leaves everything else to the
     * server's shell: unknown {@code ${...}}, {@code $VAR}, {@code ${VAR:-default}} and {@code $${...}} alike.
     */
    private static StringSubstitutor attributeSubstitutor(Server server) {
        StringLookup attributes = name -> {
            String value = server.attributes().get(name);
            if (value != null && SHELL_SPECIAL.matcher(value).find()) {
                throw new FleetupException(FleetupException.SERVER_INVALID, "Attribute '" + name + "' of server '"
                        + server.name() + "' holds a character the server's shell would interpret (\" ` $ \\ or a"
                        + " control character), so it cannot be used in a product profile. Change the attribute.");
            }
            return value;
        };
        return new StringSubstitutor(attributes)
                .setValueDelimiterMatcher(null)
                .setPreserveEscapes(true)
                .setDisableSubstitutionInValues(true);
    }
}
