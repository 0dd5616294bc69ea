package org.fleetup.shell.internal;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.FileCompleter;
import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.transport.KnownHostsReader;

@Command(scope = "fleet", name = "server-import",
        description = "Imports servers from a CSV file (name,host,port,user,keyfile; an address column such as"
                + " http://host:port overrides host and port; extra columns are attributes)")
@Service
public class ServerImportCommand implements Action {

    @Reference
    private ServerImport serverImport;

    /** The SSH client's: with neither SSH nor SFTP transport no known_hosts is read, and an import naming one fails. */
    @Reference(optional = true)
    private KnownHostsReader knownHostsReader;

    @Option(name = "--csv", required = true, description = "The CSV file")
    @Completion(FileCompleter.class)
    private String csv;

    @Option(name = "--known-hosts", description = "An OpenSSH known_hosts file holding the servers' host keys")
    @Completion(FileCompleter.class)
    private String knownHosts;

    @Override
    public Object execute() throws Exception {
        Path file = Path.of(csv);
        if (!Files.isReadable(file)) {
            throw new FleetupException(FleetupException.INVALID_INPUT, "Cannot read the CSV file " + file);
        }
        List<String> refusals = new ArrayList<>();
        ServerImport.HostKeys hostKeys = knownHosts == null
                ? ServerImport.HostKeys.NONE : knownHostsReader().read(Path.of(knownHosts), refusals::add);
        ServerImport.Imported imported;
        try (InputStream in = Files.newInputStream(file)) {
            imported = serverImport.importCsv(in, hostKeys, Actors.current(),
                    () -> "from " + file + (refusals.isEmpty() ? "" : "; " + String.join("; ", refusals)));
        }
        System.out.println("Imported " + imported.servers().size() + " servers.");
        refusals.forEach(System.out::println);
        List<String> withoutKey = imported.withoutHostKey();
        if (!withoutKey.isEmpty()) {
            System.out.println(withoutKey.size() + " have no trusted host key and will not be connected to until one"
                    + " is trusted (fleet:server-trust): " + String.join(", ", withoutKey));
        }
        return null;
    }

    private KnownHostsReader knownHostsReader() {
        if (knownHostsReader == null) {
            throw new FleetupException(FleetupException.TRANSPORT_MISSING, "A known_hosts file is read by the SSH"
                    + " client of the ssh:// and sftp:// transports, neither of which is installed: install one"
                    + " (feature:install fleetup-transport-ssh), or import without --known-hosts and trust each server"
                    + " with fleet:server-trust. Nothing was imported.");
        }
        return knownHostsReader;
    }
}
