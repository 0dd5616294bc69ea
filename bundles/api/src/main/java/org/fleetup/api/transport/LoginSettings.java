package org.fleetup.api.transport;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.fleetup.api.inventory.Server;

/**
 * The names of the settings of a login over SSH (the {@code ssh://} and {@code sftp://} transports): the CSV columns
 * {@code user} and {@code keyfile}. They are named here, not in the SSH library, because parts that must not depend on
 * that library write or keep them: the CSV import reads those columns, the inventory keeps them (one record per
 * login), the simulator hands them out. What they must hold is for the transports to say
 * ({@link Transport#validate(Server)}).
 */
public final class LoginSettings {

    /** The user to log in as. */
    public static final String USER = "user";

    /** The private key that authenticates as {@link #USER}, a path on the controller. */
    public static final String KEY_FILE = "keyfile";

    public static final Set<String> NAMES = Set.of(USER, KEY_FILE);

    private LoginSettings() {
    }

    /** The settings of a login; a {@code null} or empty one is left out. */
    public static Map<String, String> of(String user, String keyFile) {
        Map<String, String> settings = new HashMap<>();
        if (user != null && !user.isEmpty()) {
            settings.put(USER, user);
        }
        if (keyFile != null && !keyFile.isEmpty()) {
            settings.put(KEY_FILE, keyFile);
        }
        return Map.copyOf(settings);
    }

    /** The user the server is logged in as, or {@code null}. */
    public static String user(Server server) {
        return server.setting(USER);
    }

    /** The key file of the server's login, or {@code null}. */
    public static String keyFile(Server server) {
        return server.setting(KEY_FILE);
    }
}
