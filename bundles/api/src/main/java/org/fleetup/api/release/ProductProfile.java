package org.fleetup.api.release;

import java.util.Objects;

import org.fleetup.api.ShellWords;

/**
 * How a product lives on a server. Values may name server attributes as {@code ${name}}, replaced by Fleetup (see
 * {@link ProductProfiles#profile(String, org.fleetup.api.inventory.Server)}).
 *
 * @param product the product
 * @param root the application root, a path: {@code releases/<version>/}, the {@code current} link and
 *        {@code staging/} are under it. A leading {@code ~}, {@code $HOME} or {@code ${HOME}} is the login's home
 *        directory; nothing else in it is expanded ({@link #shellRoot()})
 * @param versionCommand prints the running version, run in {@code root}; a command for the server's {@code /bin/sh}.
 *        When it fails and {@code root} holds no {@code current} link (or does not exist), nothing of the product is
 *        installed
 * @param healthCommand prints the version of the release {@code current} points to once it runs, run in {@code root}
 * @param scheme the version scheme ({@code semantic}, {@code maven}, {@code serial})
 * @param busyMarker a path that exists while the server is busy (no install then): under {@code root} when
 *        relative; a leading {@code ~} or {@code $HOME} is the login's home, as in {@code root}
 * @param activation the restart or reboot, the HTTP health check and the busy command ({@link Activation#NONE}:
 *        none of them)
 */
public record ProductProfile(String product, String root, String versionCommand, String healthCommand,
                             String scheme, String busyMarker, Activation activation) {

    /** The marker when a profile names none: {@code <root>/.busy}. */
    public static final String DEFAULT_BUSY_MARKER = ".busy";

    public ProductProfile {
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(versionCommand, "versionCommand");
        Objects.requireNonNull(healthCommand, "healthCommand");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(busyMarker, "busyMarker");
        Objects.requireNonNull(activation, "activation");
    }

    /** A profile with no restart, reboot, HTTP health check or busy command ({@link Activation#NONE}). */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme,
                          String busyMarker) {
        this(product, root, versionCommand, healthCommand, scheme, busyMarker, Activation.NONE);
    }

    /** A profile with the {@link #DEFAULT_BUSY_MARKER}. */
    public ProductProfile(String product, String root, String versionCommand, String healthCommand, String scheme) {
        this(product, root, versionCommand, healthCommand, scheme, DEFAULT_BUSY_MARKER);
    }

    /**
     * The root as one word for the server's shell ({@link ShellWords#path}): what every command that enters the root
     * writes, so that the inspection and the install reach the same directory. {@code ~/my apps} becomes
     * {@code "$HOME"/'my apps'}.
     */
    public String shellRoot() {
        return ShellWords.path(root);
    }
}
