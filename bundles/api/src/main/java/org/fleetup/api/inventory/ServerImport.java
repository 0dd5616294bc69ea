package org.fleetup.api.inventory;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.fleetup.api.FleetupException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Imports servers from CSV, the one way the shell's {@code fleet:server-import} and the REST API's
 * {@code POST /servers} both take, so that they accept and refuse the same files.
 */
@ProviderType
public interface ServerImport {

    /** The host key to trust for a server, or {@code null} for none. */
    @FunctionalInterface
    interface HostKeys {

        /** No host key known for any server: each waits for {@code fleet:server-trust}. */
        HostKeys NONE = (server, host, port) -> null;

        String of(String server, String host, int port);
    }

    /**
     * What an import added.
     *
     * @param servers the servers, in the order of the file
     * @param trusted the host key trusted for each server that has one, by name
     */
    record Imported(List<Server> servers, Map<String, String> trusted) {

        public Imported {
            servers = List.copyOf(servers);
            trusted = Map.copyOf(trusted);
        }

        /**
         * The servers that will not be connected to until an operator trusts a key for each: an SSH host key, an
         * agent's TLS certificate. A plain {@code http://} agent is not among them: nothing authenticates it (it
         * checks the controller's signature on every order instead), so there is no key to trust.
         */
        public List<String> withoutHostKey() {
            return servers.stream()
                    .filter(s -> !trusted.containsKey(s.name()) && !"http".equals(s.address().getScheme()))
                    .map(Server::name).toList();
        }
    }

    /**
     * Reads a UTF-8 CSV (header {@code name,host,port,user,keyfile}, optional {@code cluster} and {@code address};
     * a column a transport names is a setting of the server, {@link org.fleetup.api.transport.Transport#settings()},
     * any other an attribute) as a whole, has each server's transport judge its settings
     * ({@link org.fleetup.api.transport.Transport#validate}), then adds every server or none
     * ({@link Inventory#addServers}) with the host keys {@code hostKeys} knows ({@link ServerTrust}), and audits it.
     *
     * @param actor who asked, for the audit trail
     * @param source where the CSV came from, and what the caller noted while the host keys were looked up, for the
     *        audit trail: asked once the whole file is read
     * @throws FleetupException {@link FleetupException#SERVER_INVALID} naming the first problem and its line (a
     *         setting: the server and the column), {@link FleetupException#TRANSPORT_MISSING} for a server whose
     *         transport is not installed; nothing is imported then
     */
    Imported importCsv(InputStream csv, HostKeys hostKeys, String actor, Supplier<String> source);
}
