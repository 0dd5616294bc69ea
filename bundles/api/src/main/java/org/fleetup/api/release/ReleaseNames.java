package org.fleetup.api.release;

import java.util.regex.Pattern;

import org.fleetup.api.FleetupException;

/**
 * What a product and a version may be called. Both become directory and file names on every server
 * ({@code <root>/releases/<version>}, {@code staging/<product>-<version>...}) and parts of the commands run there, so
 * one rule holds wherever a name enters - the store, the shell, the services - before any command is built.
 */
public final class ReleaseNames {

    private static final Pattern PRODUCT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    // Every version scheme's characters: semantic and Maven (+), Debian (~ and the epoch's :), dates (: , + Z).
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~:,-]*");

    private ReleaseNames() {
    }

    /**
     * @return {@code product}
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} naming the value and the characters allowed
     */
    public static String requireProduct(String product) {
        if (product == null || !PRODUCT.matcher(product).matches()) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "'" + product + "' is not a product name: "
                    + "use letters, digits, '.', '_' and '-', starting with a letter or digit (e.g. demo-app).");
        }
        return product;
    }

    /**
     * @return {@code version}
     * @throws FleetupException {@link FleetupException#RELEASE_INVALID} naming the value and the characters allowed
     */
    public static String requireVersion(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new FleetupException(FleetupException.RELEASE_INVALID, "'" + version + "' cannot be a version on "
                    + "a server, where it names a directory: use letters, digits, '.', '_', '+', '~', ':', ',' and "
                    + "'-', starting with a letter or digit (e.g. 2.0.0).");
        }
        return version;
    }
}
