package org.fleetup.transport.sftp.internal;

import java.time.Duration;
import java.util.Set;

import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.transport.Transport;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.ssh.SshSettings;
import org.fleetup.transport.sftp.SftpTransport;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The SFTP-only transport as the service that serves {@code sftp://} addresses. A configuration change replaces it
 * (and so closes the connections of the previous one).
 */
@Component(service = Transport.class, configurationPid = SftpTransportComponent.PID,
        property = Transport.SCHEME + "=sftp")
@Designate(ocd = SftpTransportComponent.Config.class)
public final class SftpTransportComponent implements InstallingTransport {

    static final String PID = "org.fleetup.transport.sftp";

    @ObjectClassDefinition(name = "Fleetup SFTP transport",
            description = "How Fleetup reaches servers that offer SFTP only, and upgrades them by file operations")
    public @interface Config {

        @AttributeDefinition(description = "Seconds to wait for the TCP connection to a server")
        int connectTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds the SSH handshake and the key login may take once connected")
        int authTimeoutSeconds() default 10;

        @AttributeDefinition(description = "Seconds a server may stay silent before its connection is taken for dead"
                + " and closed")
        int idleTimeoutSeconds() default 300;

        @AttributeDefinition(description = "Bytes per SFTP write request (1024 to 261120)")
        int transferBufferBytes() default 65536;

        @AttributeDefinition(description = "Seconds a server that is busy (its profile's busyMarker exists) is "
                + "waited for, in all, before it ends not installable, unchanged")
        int installableWaitSeconds() default 300;

        @AttributeDefinition(description = "Seconds between two looks at a busy server")
        int pollIntervalSeconds() default 5;
    }

    private final SftpTransport transport;

    @Activate
    public SftpTransportComponent(@Reference ProductProfiles profiles, @Reference Planner planner,
                                  @Reference ReleaseStore store, @Reference ServerTrust trust, Config config) {
        this.transport = new SftpTransport(new SshSettings(Duration.ofSeconds(config.connectTimeoutSeconds()),
                Duration.ofSeconds(config.authTimeoutSeconds()), Duration.ofSeconds(config.idleTimeoutSeconds()),
                config.transferBufferBytes()), trust, profiles, planner, store,
                Duration.ofSeconds(config.installableWaitSeconds()), Duration.ofSeconds(config.pollIntervalSeconds()));
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
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return transport.begin(rollout, server, release, force, listener, journal);
    }

    @Override
    public Inspection inspect(Server server, String product) {
        return transport.inspect(server, product);
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
