package org.fleetup.api.mirror;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.FleetupException;
import org.fleetup.api.pull.PullAgentRecord;

/**
 * What the inventory keeps of mirrors: on the primary, the mirrors, their state, the agents each one reported and the
 * overdue alarms; on a mirror, the last request sequence accepted from each primary key (so that a request is never
 * accepted twice, not even after a restart).
 */
public interface MirrorRegistry {

    /** @throws FleetupException {@link FleetupException#INVALID_INPUT} when a mirror of that name exists */
    void add(Mirror mirror);

    List<Mirror> mirrors();

    Optional<Mirror> mirror(String name);

    /** Records a sync that succeeded, with the releases the mirror still lacked after it. */
    void synced(String name, Instant at, int missing, String detail);

    /** Records a sync that failed: the mirror is down, {@code failures} in a row. */
    void failed(String name, int failures, String detail);

    /** Records that a sync of the mirror started. */
    void syncing(String name);

    /** Replaces the agents the mirror reported at its last sync. */
    void mirrorAgents(String name, List<PullAgentRecord> agents);

    /** The agents the mirror reported at its last sync. */
    List<PullAgentRecord> mirrorAgents(String name);

    /** Raises the alarm unless one is open for its mirror, product and version; updates the open one's count. */
    boolean raise(MirrorAlarm alarm);

    /** Clears the open alarm of the mirror's product; {@code true} when there was one. */
    boolean clear(String mirror, String product, Instant at);

    /** The alarms, newest first; open only when {@code openOnly}. */
    List<MirrorAlarm> alarms(boolean openOnly);

    /**
     * Accepts {@code sequence} from the primary key {@code keyId} when it is above every sequence accepted from it
     * before, and remembers it; atomically.
     *
     * @return {@code false} for a replayed or out-of-order request
     */
    boolean acceptSequence(String keyId, long sequence);
}
