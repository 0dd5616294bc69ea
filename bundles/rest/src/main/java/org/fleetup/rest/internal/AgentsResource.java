package org.fleetup.rest.internal;

import java.util.Comparator;
import java.util.Map;

import org.fleetup.api.pull.PullAgentRecord;
import org.fleetup.api.pull.PullRegistry;

/** {@link AgentsApi} over the pull registry. */
public final class AgentsResource implements AgentsApi {

    private static final Map<String, Comparator<? super PullAgentRecord>> FIELDS = Map.of(
            "mac", Sorting.by(PullAgentRecord::mac),
            "product", Sorting.by(PullAgentRecord::product),
            "version", Sorting.by(PullAgentRecord::version),
            "lastCheck", Sorting.by(PullAgentRecord::lastCheck));

    private final PullRegistry registry;

    AgentsResource(PullRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Page<PullAgentRecord> list(String offset, String limit, String sort) {
        return Page.of(registry.agents(), offset, limit, sort, FIELDS, "mac:ASC");
    }
}
