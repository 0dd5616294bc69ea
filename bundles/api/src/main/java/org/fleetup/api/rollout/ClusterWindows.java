package org.fleetup.api.rollout;

import java.time.Instant;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** The maintenance windows in force: when a rollout may start the servers of each cluster. */
@ProviderType
public interface ClusterWindows {

    /**
     * The default window first, then every cluster with one of its own, by name; each as it stands at {@code at}.
     * Windows that cannot be read give one entry with the problem, open for no cluster.
     */
    List<ClusterWindow> windows(Instant at);
}
