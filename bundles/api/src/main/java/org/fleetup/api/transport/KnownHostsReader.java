package org.fleetup.api.transport;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inventory.ServerImport;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads the host keys an operator's SSH client already trusts (OpenSSH's {@code known_hosts}) for an import of
 * servers. Offered by the transport whose trust it is, so that the core of Fleetup reads no SSH format: without that
 * transport there is no service, and an import that names such a file is refused.
 */
@ProviderType
public interface KnownHostsReader {

    /**
     * The keys {@code file} trusts, each key it refuses for a server (revoked) told to {@code refusals} in words for
     * the operator.
     *
     * @throws FleetupException {@link FleetupException#INVALID_INPUT} naming the line when the file cannot be read or
     *         holds a line that cannot be trusted as it stands; nothing is imported then
     */
    ServerImport.HostKeys read(Path file, Consumer<String> refusals);
}
