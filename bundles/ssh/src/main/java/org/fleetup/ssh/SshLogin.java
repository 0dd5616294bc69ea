package org.fleetup.ssh;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.transport.LoginSettings;
import org.fleetup.api.transport.Transport;

/**
 * The settings of a server reached over SSH, as the {@code ssh://} and {@code sftp://} transports take them: the user
 * to log in as and the private key file that logs in ({@link LoginSettings}).
 */
public final class SshLogin {

    private SshLogin() {
    }

    /** The settings these transports read. */
    public static Set<String> settings() {
        return LoginSettings.NAMES;
    }

    /**
     * Refuses a server whose login cannot work as recorded, before it is imported: no user (neither the setting nor in
     * its address), no key file, or one that is not a readable file on the controller. The key itself is read only at
     * connection time, never here, so that its content reaches no message.
     * Settings it does not take are refused by {@link Transport#validate}, which a transport calls first.
     *
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} naming the server, the setting and what to do
     */
    public static void validate(Server server) {
        String user = LoginSettings.user(server);
        String userInfo = server.address().getUserInfo();
        if ((user == null || user.isBlank()) && (userInfo == null || userInfo.isBlank())) {
            throw invalid(server, "has no '" + LoginSettings.USER + "': give it the user to log in as in the '"
                    + LoginSettings.USER + "' column (or in its address, " + server.address().getScheme()
                    + "://user@host:port)");
        }
        String keyFile = LoginSettings.keyFile(server);
        if (keyFile == null || keyFile.isBlank()) {
            throw invalid(server, "has no '" + LoginSettings.KEY_FILE + "': give it, in the '" + LoginSettings.KEY_FILE
                    + "' column, the path on the controller of the private key that logs in as its user");
        }
        Path key;
        try {
            key = Path.of(keyFile);
        } catch (InvalidPathException e) {
            throw invalid(server, "has a '" + LoginSettings.KEY_FILE + "' " + keyFile + " that is not a path");
        }
        if (!Files.isRegularFile(key)) {
            throw invalid(server, "has a '" + LoginSettings.KEY_FILE + "' " + keyFile + " that is not a file on the"
                    + " controller: correct the path in the '" + LoginSettings.KEY_FILE + "' column, or put the"
                    + " private key there");
        }
        if (!Files.isReadable(key)) {
            throw invalid(server, "has a '" + LoginSettings.KEY_FILE + "' " + keyFile + " that Fleetup may not read:"
                    + " let the user running Fleetup read it");
        }
    }

    private static FleetupException invalid(Server server, String problem) {
        return new FleetupException(FleetupException.SERVER_INVALID, "Server '" + server.name() + "' ("
                + server.address() + ") " + problem + ".");
    }
}
