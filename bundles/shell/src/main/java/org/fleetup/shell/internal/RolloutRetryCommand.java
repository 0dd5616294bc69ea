package org.fleetup.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.fleetup.api.rollout.Rollout;
import org.fleetup.api.rollout.Rollouts;

@Command(scope = "fleet", name = "rollout-retry", description = "Starts a new rollout of the same release and options on the servers of an ended one that failed or rolled back")
@Service
public class RolloutRetryCommand implements Action {

    @Reference
    private Rollouts rollouts;

    @Argument(index = 0, name = "id", required = true, description = "The rollout")
    @Completion(RolloutIdCompleter.class)
    private String id;

    @Override
    public Object execute() {
        Rollout rollout = rollouts.retry(id, Actors.current());
        System.out.println("Rollout " + rollout.id() + " of " + rollout.product() + "/" + rollout.version() + " retries the "
                + rollout.servers().size() + " servers of " + id + " that failed (" + rollout.status() + "). Follow it with"
                + " 'fleet:rollout-status " + rollout.id() + "'.");
        return null;
    }
}
