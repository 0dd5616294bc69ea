package org.fleetup.patch.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.FleetupException;
import org.fleetup.api.mirror.Mirror;
import org.fleetup.api.mirror.Mirrors;

/**
 * Adds a mirror, authenticated by its key: the operator names the key (as for a host key, never taken on trust from
 * the network), and the mirror must answer with it, and accept this primary's key, before it is added.
 */
@Command(scope = "fleet", name = "mirror-add", description = "Adds a mirror: another Fleetup instance that serves "
        + "pull agents, authenticated by its key")
@Service
public class MirrorAddCommand implements Action {

    @Reference
    private Mirrors mirrors;

    @Argument(index = 0, name = "name", required = true, description = "The mirror's name")
    private String name;

    @Argument(index = 1, name = "url", required = true, description = "Its base URL, such as "
            + "http://mirror-east:8181")
    private String url;

    @Option(name = "--key", required = true, description = "The mirror's controller key: the line 'ssh-ed25519 "
            + "AAAA...' that 'fleet:agent-key' prints on the mirror, or a file holding it")
    private String key;

    @Override
    public Object execute() throws IOException {
        String line = key.strip();
        if (!line.startsWith("ssh-")) {
            Path file = Path.of(line);
            if (!Files.isRegularFile(file)) {
                throw new FleetupException(FleetupException.INVALID_INPUT, "--key is the line 'ssh-ed25519 AAAA...' "
                        + "or a file holding it; " + file + " is no file.");
            }
            line = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(text -> text.startsWith("ssh-")).findFirst().orElse("");
        }
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "'" + url + "' is no URL: give the mirror's "
                    + "base URL, such as http://mirror-east:8181.");
        }
        Mirror mirror = mirrors.add(name, uri, line);
        System.out.println("Mirror " + mirror.name() + " added at " + mirror.url() + ", its key pinned; the first "
                + "sync starts now ('fleet:mirror-list' shows it).");
        return null;
    }
}
