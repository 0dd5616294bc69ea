package org.fleetup.bench.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import org.fleetup.api.FleetupException;
import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.transport.Capability;
import org.fleetup.api.transport.InstallingTransport;
import org.fleetup.api.transport.Session;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;

/**
 * The scale benchmark's stand-in servers ({@code standin://NAME:1}): each one a small file, {@code DIR/NAME}, holding
 * the version it runs and how many times a release was installed on it ({@code 1.0.0 0}), then by which controller
 * process ({@code 2.0.0 1 4242}). Inspecting it reads the
 * file; upgrading it rewrites the file (atomically, by a rename) under the rollout engine's journal, so that the
 * controllers, their leases, their journal and the database do all their work while a server costs next to nothing.
 * The benchmark reads the files afterwards: every server on the new version, each installed exactly once.
 */
public final class StandinTransport implements InstallingTransport {

    private final Path directory;

    public StandinTransport(Path directory) {
        this.directory = directory;
    }

    /** It installs what it is ordered to, as the agent does: no need of a profile is refused. */
    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.ORDERS);
    }

    @Override
    public Session connect(Server server) {
        throw new FleetupException(FleetupException.TRANSPORT_INCAPABLE, server.name()
                + " is a stand-in: it has no session");
    }

    @Override
    public Inspection inspect(Server server, String product) {
        Instant at = Instant.now();
        long start = System.nanoTime();
        try {
            String[] state = read(server);
            return new Inspection(server.name(), product, Inspection.Status.OK, state[0], null, at,
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (FleetupException e) {
            return new Inspection(server.name(), product, Inspection.Status.UNREACHABLE, null, e.getMessage(), at,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                           Journal journal) {
        return new StandinProcedure(this, rollout, server, release, listener, journal);
    }

    /** The server's version, install count, and the process id of the controller that installed it last. */
    String[] read(Server server) {
        Path file = file(server);
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
        } catch (IOException e) {
            throw new FleetupException(FleetupException.SERVER_UNREACHABLE, "No stand-in " + file);
        }
    }

    /** Writes the server's new state beside its file and renames it over, as an atomic switch. */
    void write(Server server, String version, int installs) {
        Path file = file(server);
        Path next = file.resolveSibling("." + file.getFileName() + ".next");
        try {
            // The installing controller's JVM too: the benchmark counts who did the work.
            Files.writeString(next, version + " " + installs + " " + ProcessHandle.current().pid() + "\n",
                    StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(Server server) {
        return directory.resolve(server.address().getHost());
    }
}
