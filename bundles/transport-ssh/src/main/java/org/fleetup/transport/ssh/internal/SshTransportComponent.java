package org.fleetup.transport.ssh.internal;

import java.time.Duration;
import java.util.Set;

import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The SSH transport as the service that serves {@code ssh://} addresses. A configuration change replaces it (and so
 * closes the sessions and idle connections of the previous one).
 */
@Component(service = Transport.class, configurationPid = SshTransportComponent.PID,
        property = Transport.SCHEME + "=ssh")
@Designate(ocd = SshTransportComponent.Config.class)
public final class SshTransportComponent implements Transport {

    static final String PID = "org.fleetup.transport.ssh";

    @ObjectClassDefinition(name = "Fleetup SSH transport",
            description = "How Fleetup connects to servers over SSH and transfers files to them")
    public @interface Config {

        @AttributeDefinition(description = "Seconds to wait for the TCP connection to a server")
        int connectTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds the SSH handshake and the key login may take once connected")
        int authTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds a server may stay silent before its session is taken for dead"
                + " and closed; keep-alives go out every quarter of it, so a live server is never cut off")
        int idleTimeoutSeconds() default 300;

        @AttributeDefinition(description = "Bytes per SFTP write request (1024 to 261120); several are in flight"
                + " at once")
        int transferBufferBytes() default 65536;

        @AttributeDefinition(description = "Seconds a closed session's connection stays open so that the next"
                + " session to the same server (same record) skips the SSH handshake; 0 opens a new connection for"
                + " every session")
        int sessionIdleSeconds() default 900;

        @AttributeDefinition(description = "How many idle connections are kept open at most; beyond it the oldest"
                + " is closed")
        int maxIdleSessions() default 1024;

        @AttributeDefinition(description = "The slowest a file transfer may go, in bytes per second: a transfer must"
                + " end within the connect timeout plus the time its bytes take at this rate, else it fails and its"
                + " connection is closed, so that a server trickling bytes cannot hold a worker without end")
        long transferMinimumBytesPerSecond() default SshSettings.DEFAULT_TRANSFER_MINIMUM_BYTES_PER_SECOND;

        @AttributeDefinition(description = "The most of a command's input (an artifact sent to cat) an OpenSSH server"
                + " may hold that the command has not taken yet, in bytes; the sender waits beyond it. A small backlog"
                + " spares the servers' CPU (OpenSSH grows its buffer for it by copying); a link with a long round trip"
                + " needs about its bandwidth times the round trip. 0: the server's whole window (2 MiB)")
        int transferBacklogBytes() default SshSettings.DEFAULT_TRANSFER_BACKLOG_BYTES;
    }

    private final SshTransport transport;

    @Activate
    public SshTransportComponent(Config config, @Reference ServerTrust trust) {
        this.transport = new SshTransport(new SshSettings(
                Duration.ofSeconds(config.connectTimeoutSeconds()),
                Duration.ofSeconds(config.authTimeoutSeconds()),
                Duration.ofSeconds(config.idleTimeoutSeconds()),
                config.transferBufferBytes(),
                Duration.ofSeconds(config.sessionIdleSeconds()),
                config.maxIdleSessions(),
                config.transferMinimumBytesPerSecond(),
                config.transferBacklogBytes()), trust);
    }

    @Override
    public Session connect(Server server) {
        return transport.connect(server);
    }

    @Override
    public Set<Capability> capabilities() {
        return transport.capabilities();
    }

    @Override
    public Set<String> settings() {
        return transport.settings();
    }

    @Override
    public void validate(Server server) {
        transport.validate(server);
    }

    @Deactivate
    void deactivate() {
        transport.close();
    }
}
