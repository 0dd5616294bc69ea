package org.fleetup.inventory.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.fleetup.api.inventory.Inventory;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerImport;
import org.fleetup.api.transport.TransportRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The CSV import the shell and the REST API share: read whole, checked, then added all at once and audited. */
@Component(service = ServerImport.class)
public final class CsvServerImport implements ServerImport {

    private final Inventory inventory;
    private final TransportRegistry transports;

    /** {@code transports} judge the settings of their servers, and tell the columns that are settings. */
    @Activate
    public CsvServerImport(@Reference Inventory inventory, @Reference TransportRegistry transports) {
        this.inventory = inventory;
        this.transports = transports;
    }

    @Override
    public Imported importCsv(InputStream csv, HostKeys hostKeys, String actor, Supplier<String> source) {
        List<Server> servers;
        try {
            servers = ServerCsv.read(csv, transports);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the CSV " + source.get(), e);
        }
        Map<String, String> trusted = ServerCsv.hostKeys(servers, hostKeys == null ? HostKeys.NONE : hostKeys);
        inventory.addServers(servers, trusted);
        inventory.audit(actor, "server-import", servers.size() + " servers " + source.get());
        return new Imported(servers, trusted);
    }
}
