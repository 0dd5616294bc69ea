package org.fleetup.api.transport;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport that brings its own upgrade procedure and inspection, because the command-driven ones cannot run over
 * it: it has no {@link Capability#COMMANDS} (the push agent, which installs what it is ordered to; an SFTP-only
 * server, where the controller unpacks and switches the release with file operations alone). The upgrader takes its
 * {@link Procedure} instead of the command-driven one, and the inspector its {@link #inspect}; whatever this
 * procedure cannot do, its {@link #capabilities()} say, so that the plan refuses it first. Registered as a
 * {@link Transport} service like any other.
 */
@ConsumerType
public interface InstallingTransport extends Transport {

    /**
     * The upgrade of {@code server} to {@code release}, run a step at a time as {@link
     * org.fleetup.api.upgrade.Upgrader#begin} says: nothing is sent to the server before its first step runs, and a
     * procedure begun again on the same {@code journal} after a crash goes on with the order it had sent.
     */
    Procedure begin(String rollout, Server server, Release release, boolean force, StepListener listener,
                    Journal journal);

    /**
     * Reads the version of {@code product} the server runs without a command (as the agent reports it, or from the
     * product's version file). Never throws for the server's fault: a server that does not answer is
     * {@link Inspection.Status#UNREACHABLE}.
     */
    Inspection inspect(Server server, String product);
}
