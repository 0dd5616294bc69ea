package org.fleetup.transport.sftp;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;

/**
 * A profile's paths as SFTP takes them: no shell expands anything there, and a relative path starts at the login's
 * start directory, its home; so {@code $HOME/app} and {@code ~/app} are {@code app}.
 */
final class RemotePaths {

    private RemotePaths() {
    }

    /** The application root. */
    static String root(String root, Server server) {
        String path = home(root.strip());
        if (path.contains("$")) {
            throw new FleetupException(FleetupException.SERVER_INVALID, "The root " + root + " of " + server.name()
                    + " names a variable that only a shell expands, and " + server.address().getScheme()
                    + ":// runs none: write it as a path (absolute, or under $HOME/) in etc/org.fleetup.profiles.cfg.");
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.isEmpty() ? "." : path;
    }

    /** {@code path} under {@code root} unless absolute or under the home. */
    static String under(String root, String path) {
        String stripped = path.strip();
        if (stripped.startsWith("/")) {
            return stripped;
        }
        if (stripped.startsWith("~") || stripped.startsWith("$HOME") || stripped.startsWith("${HOME}")) {
            String home = home(stripped);
            return home.isEmpty() ? "." : home;
        }
        return root + "/" + stripped;
    }

    private static String home(String path) {
        for (String home : new String[] {"${HOME}", "$HOME", "~"}) {
            if (path.equals(home)) {
                return "";
            }
            if (path.startsWith(home + "/")) {
                return path.substring(home.length() + 1);
            }
        }
        return path;
    }
}
