package org.fleetup.transport.sftp;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.comparison.Planner;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.inventory.ServerTrust;
import org.fleetup.api.release.ProductProfile;
import org.fleetup.api.release.ProductProfiles;
import org.fleetup.api.release.Release;
import org.fleetup.api.release.ReleaseStore;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.fleetup.ssh.SftpConnection;
import org.fleetup.ssh.SshLogin;
import org.fleetup.ssh.SshSettings;
import org.fleetup.ssh.SshTransport;

/**
 * Servers that offer SFTP and nothing else ({@code sftp://host:port}; OpenSSH with {@code ForceCommand internal-sftp}):
 * reached as the SSH transport reaches a server (host key against the one trusted of it, key login), inspected by
 * reading the profile's version file, and upgraded by release directories with file operations alone
 * ({@link SftpProcedure}). Usable without OSGi; close it to stop its SSH client.
 */
public final class SftpTransport implements InstallingTransport, AutoCloseable {

    /** What every procedure of one transport shares. */
    record Parts(SshTransport ssh, ProductProfiles profiles, Planner planner, ReleaseStore store,
                 Duration installableWait, Duration pollInterval) {
    }

    private final Parts parts;

    /**
     * @param trust the host key trusted of each server
     * @param installableWait how long a busy server (its profile's busy marker exists) is waited for, in all
     * @param pollInterval how often a busy server is looked at again
     */
    public SftpTransport(SshSettings settings, ServerTrust trust, ProductProfiles profiles, Planner planner,
                         ReleaseStore store, Duration installableWait, Duration pollInterval) {
        this.parts = new Parts(new SshTransport(Objects.requireNonNull(settings, "settings"), trust), profiles,
                planner, store, installableWait, pollInterval);
    }

    /** File transfer only: no command runs on such a server. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.FILES);
    }

    /** The login: {@code user} and {@code keyfile}. */
    @Override
    public Set<String> settings() {
        return SshLogin.settings();
    }

    /** No setting but the login's, and a login that can work ({@link SshLogin#validate}). */
    @Override
    public void validate(Server server) {
        InstallingTransport.super.validate(server);
        SshLogin.validate(server);
    }

    /** No session: a {@link Session} runs commands, which such a server does not. */
    @Override
    public Session connect(Server server) {
        throw new FleetupException(FleetupException.TRANSPORT_INCAPABLE, server.name() + " is reached over "
                + server.address().getScheme() + "://, which runs no commands: it is inspected and upgraded by "
                + "file operations alone, never over a command session.");
    }

    @Override
    public Inspection inspect(Server server, String product) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        ProductProfile profile;
        String root;
        try {
            profile = parts.profiles().profile(product, server);
            root = RemotePaths.root(profile.root(), server);
        } catch (FleetupException e) {
            return new Inspection(server.name(), product, Inspection.Status.FAILED, null, e.getMessage(), at,
                    took(start));
        }
        try (SftpConnection connection = parts.ssh().openSftp(server)) {
            Inspection read = inspection(new RemoteFiles(server.name(), connection.sftp()), server, product, profile,
                    root, at);
            return new Inspection(read.server(), read.product(), read.status(), read.version(), read.detail(), at,
                    took(start));
        } catch (FleetupException e) {
            Inspection.Status status = FleetupException.hasCode(e, FleetupException.TRANSPORT_FAILED)
                    ? Inspection.Status.FAILED : Inspection.Status.UNREACHABLE;
            return new Inspection(server.name(), product, status, null, e.getMessage(), at, took(start));
        }
    }

    /**
     * What the version file says: the version when it has one line; not installed when there is neither the file nor a
     * {@code current}; failed otherwise, or when the version command is more than reading a file.
     */
    static Inspection inspection(RemoteFiles files, Server server, String product, ProductProfile profile,
                                 String root, Instant at) {
        Optional<String> versionFile = profile.versionFile();
        if (versionFile.isEmpty()) {
            return new Inspection(server.name(), product, Inspection.Status.FAILED, null, "the versionCommand '"
                    + profile.versionCommand() + "' needs commands, and " + server.address().getScheme()
                    + ":// runs none: make it 'cat FILE' in etc/org.fleetup.profiles.cfg", at, Duration.ZERO);
        }
        String file = RemotePaths.under(root, versionFile.get());
        Optional<String> version = files.firstLine(file);
        if (version.isPresent() && !version.get().isEmpty()) {
            return new Inspection(server.name(), product, Inspection.Status.OK, version.get(), null, at,
                    Duration.ZERO);
        }
        if (version.isEmpty() && !files.exists(root + "/current")) {
            return new Inspection(server.name(), product, Inspection.Status.NOT_INSTALLED, null, "no " + root
                    + "/current", at, Duration.ZERO);
        }
        return new Inspection(server.name(), product, version.isEmpty() ? Inspection.Status.FAILED
                : Inspection.Status.UNPARSABLE, null, version.isEmpty() ? file + " cannot be read" : file
                + " is empty", at, Duration.ZERO);
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return new SftpProcedure(parts, rollout, server, release, force, listener, journal);
    }

    /** Stops the SSH client, which closes every connection still open. */
    @Override
    public void close() {
        parts.ssh().close();
    }

    private static Duration took(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
