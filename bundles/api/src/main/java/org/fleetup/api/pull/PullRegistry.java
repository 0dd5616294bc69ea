package org.fleetup.api.pull;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The pull agents by MAC, the release schedule and the moves, kept in the inventory. */
public interface PullRegistry {

    /** Records a check of the agent {@code mac} (creating it at its first check). */
    void checked(PullAgentRecord check);

    /**
     * Records a step the agent reported: {@code failed} and {@code rolled-back} mark {@code version} failed there,
     * {@code done} makes it the version the agent runs.
     */
    void reported(String mac, String version, String status, String detail, Instant at);

    /** Records that {@code version} was offered to the agent {@code mac}. */
    void offered(String mac, String version);

    /** Every agent, by MAC. */
    List<PullAgentRecord> agents();

    Optional<PullAgentRecord> agent(String mac);

    /** Publishes {@code version} of {@code product} at {@code at}, in place of the product's earlier schedule. */
    void schedule(ScheduledRelease release);

    Optional<ScheduledRelease> scheduled(String product);

    List<ScheduledRelease> schedules();

    /** Moves the agents {@code macs} (every agent when empty) to the patch server at {@code to}. */
    void redirect(URI to, List<String> macs);

    /** Where the agent {@code mac} is to go: its own move, else the move of every agent. */
    Optional<URI> redirect(String mac);
}
