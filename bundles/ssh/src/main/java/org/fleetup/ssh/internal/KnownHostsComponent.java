package org.fleetup.ssh.internal;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.transport.KnownHostsReader;
import org.osgi.service.component.annotations.Component;

/** OpenSSH's known_hosts, read for an import of servers by the transport whose trust it is. */
@Component(service = KnownHostsReader.class)
public final class KnownHostsComponent implements KnownHostsReader {

    @Override
    public ServerImport.HostKeys read(Path file, Consumer<String> refusals) {
        return KnownHosts.read(file).hostKeys(refusals);
    }
}
