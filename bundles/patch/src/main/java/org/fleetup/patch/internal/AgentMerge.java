package org.fleetup.patch.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.fleetup.api.comparison.VersionScheme;
import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Merges agent records by MAC into a registry: an agent it does not know is taken, and so is one whose applied
 * version is newer than the one it knows; an older or equal one changes nothing. The primary merges each mirror's
 * records, and passes the merged ones on to every mirror, which merges them alike.
 */
final class AgentMerge {

    private static final Logger LOGGER = LoggerFactory.getLogger(AgentMerge.class);

    private final VersionScheme versions;

    AgentMerge(VersionScheme versions) {
        this.versions = versions;
    }

    /** @return the records taken */
    List<PullAgentRecord> merge(PullRegistry into, Collection<PullAgentRecord> records, String from) {
        List<PullAgentRecord> taken = new ArrayList<>();
        for (PullAgentRecord record : records) {
            Optional<PullAgentRecord> known = into.agent(record.mac());
            if (known.isEmpty() || newer(record.version(), known.get().version())) {
                into.checked(record);
                taken.add(record);
                LOGGER.debug("Agent {} runs {} as {} knows", record.mac(), record.version(), from);
            }
        }
        return taken;
    }

    /** Whether {@code version} is newer than {@code than}; a version that does not parse is never newer. */
    boolean newer(String version, String than) {
        if (version == null || version.isEmpty()) {
            return false;
        }
        if (than == null || than.isEmpty()) {
            return true;
        }
        try {
            return versions.compare(version, than) > 0;
        } catch (RuntimeException e) {
            LOGGER.debug("Versions {} and {} do not compare: {}", version, than, e.getMessage());
            return false;
        }
    }
}
