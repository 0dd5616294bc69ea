package org.fleetup.api.release;

import java.util.Objects;

/**
 * How a product lives on a server. Paths may name server attributes as {@code ${name}}, replaced by Fleetup, and
 * anything else the server's shell expands ({@code $HOME/app}).
 *
 * @param product the product
 * @param root the application root: {@code releases/<version>/}, the {@code current} link and {@code staging/} are under it
 * @param versionCommand prints the running version, run in {@code root}; when it fails and {@code root} holds no
 *        {@code current} link (or does not exist), nothing of the product is installed
 * @param healthCommand prints the version of the release {@code current} points to once it runs, run in {@code root}
 * @param scheme the version scheme ({@code semantic}, {@code maven}, {@code serial})
 */
public record ProductProfile(String product, String root, String versionCommand, String healthCommand,
                             String scheme) {

    public ProductProfile {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(versionCommand, "versionCommand");
        Objects.requireNonNull(healthCommand, "healthCommand");
        Objects.requireNonNull(scheme, "scheme");
    }
}
