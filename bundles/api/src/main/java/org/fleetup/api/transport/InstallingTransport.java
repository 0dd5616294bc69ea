package org.fleetup.api.transport;

import org.fleetup.api.inspection.Inspection;
import org.fleetup.api.inventory.Server;
import org.fleetup.api.release.Release;
import org.fleetup.api.upgrade.Journal;
import org.fleetup.api.upgrade.Procedure;
import org.fleetup.api.upgrade.StepListener;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A transport whose servers install a release themselves when ordered to (the push agent): it runs no commands for
 * the controller, so the upgrade of such a server is its own {@link Procedure}, which the upgrader takes instead of
 * the command-driven one, and its inspection is the transport's too. Registered as a {@link Transport} service like
 * any other.
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
     * Reads the version of {@code product} the server runs, as the server itself reports it (an inspection cannot run
     * a command there). Never throws for the server's fault: an agent that does not answer is
     * {@link Inspection.Status#UNREACHABLE}.
     */
    Inspection inspect(Server server, String product);
}
