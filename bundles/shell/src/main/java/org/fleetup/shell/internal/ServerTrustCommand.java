package org.fleetup.shell.internal;

import java.util.List;
import java.util.regex.Pattern;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;

@Command(scope = "fleet", name = "server-trust",
        description = "Trusts a server's host key (or an https:// agent's certificate), given as the SHA256 fingerprint "
                + "you checked out of band or as the OpenSSH public key line; any other key is refused from then on")
@Service
public class ServerTrustCommand implements Action {

    /** OpenSSH's form: {@code SHA256:} and 43 characters of unpadded base64. */
    private static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");

    @Reference
    private Inventory inventory;

    @Reference
    private ServerTrust trust;

    @Argument(index = 0, name = "server", required = true, description = "The server")
    @Completion(ServerNameCompleter.class)
    private String name;

    @Argument(index = 1, name = "key", required = true, multiValued = true,
            description = "SHA256:... as ssh-keygen -lf prints it, or the key line as in known_hosts")
    private List<String> key;

    @Override
    public Object execute() {
        Server server = inventory.requireServer(name);
        String hostKey = String.join(" ", key).strip();
        if (!FINGERPRINT.matcher(hostKey).matches() && Formats.fingerprint(hostKey).equals(hostKey)) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "'" + hostKey + "' is neither a SHA256"
                    + " fingerprint (SHA256: and 43 characters) nor an OpenSSH public key line");
        }
        String previous = trust.trusted(server).orElse(null);
        trust.trust(server, hostKey);
        inventory.audit(Actors.current(), "server-trust", name + " " + Formats.fingerprint(hostKey)
                + (previous == null ? "" : ", replacing " + Formats.fingerprint(previous)));
        System.out.println("Trusted " + Formats.fingerprint(hostKey) + " for " + name
                + (previous == null ? "." : ", replacing " + Formats.fingerprint(previous) + ".")
                + " Any other host key is refused.");
        return null;
    }
}
